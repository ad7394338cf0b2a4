"""Every direct HTTP call these tests make to a service goes through :func:`call`.

Services act only on signed service tokens: each call carries a fresh one for the service it goes
to, signed as the product's callers sign them (tests/support/service_tokens.py).
"""

from __future__ import annotations

from uuid import UUID

import httpx

from tests.support.service_tokens import signed_headers

SYSTEM = ("system", None)


def identity_headers(service: str, role: str, actor_id: UUID | str | None) -> dict[str, str]:
    return dict(signed_headers(service, role, actor_id))


def call(
    service: str,
    base_url: str,
    method: str,
    path: str,
    *,
    actor: tuple[str, UUID | str | None] = SYSTEM,
    json: dict | None = None,
    params: dict | None = None,
    timeout_s: float = 30,
) -> httpx.Response:
    """One request to ``service`` (members, tasks, matching) at ``base_url`` as ``actor`` (role, id)."""
    return httpx.request(
        method, base_url + path, json=json, params=params, headers=identity_headers(service, *actor), timeout=timeout_s
    )
