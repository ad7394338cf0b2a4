"""Every direct HTTP call these tests make to a service goes through :func:`call`.

Services authorize from the caller's identity headers; when that scheme changes (signed service
tokens), only :func:`identity_headers` changes.
"""

from __future__ import annotations

from uuid import UUID

import httpx

SYSTEM = ("system", None)


def identity_headers(role: str, actor_id: UUID | str | None) -> dict[str, str]:
    headers = {"X-Actor-Role": role}
    if actor_id is not None:
        headers["X-Actor-Id"] = str(actor_id)
    return headers


def call(base_url: str, method: str, path: str, *, actor: tuple[str, UUID | str | None] = SYSTEM,
         json: dict | None = None, params: dict | None = None, timeout_s: float = 30) -> httpx.Response:
    """One request to a service as ``actor`` (role, id)."""
    return httpx.request(method, base_url + path, json=json, params=params, headers=identity_headers(*actor),
                         timeout=timeout_s)
