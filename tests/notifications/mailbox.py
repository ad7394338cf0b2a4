"""Reading what reached Mailpit, through its HTTP API, the way a test reads an inbox."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from deploy import mailpit
from tests.support.processes import eventually, free_port


@dataclass(frozen=True)
class Mail:
    id: str
    subject: str
    snippet: str  # the preview a phone's lock screen shows
    to: list[str]
    message_id: str


class Inbox:
    """One Mailpit server's messages, through ``/api/v1``."""

    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(base_url=url + "/api/v1", timeout=10)

    def messages_to(self, address: str) -> list[Mail]:
        found = self.http.get("/search", params={"query": f'to:"{address}"', "limit": 100}).raise_for_status().json()
        return [
            Mail(m["ID"], m["Subject"], m["Snippet"], [t["Address"] for t in m["To"]], m["MessageID"])
            for m in found["messages"]
        ]

    def wait_for(self, address: str, count: int = 1, timeout_s: float = 5) -> list[Mail]:
        return eventually(
            lambda: (lambda got: got if len(got) >= count else None)(self.messages_to(address)),
            timeout_s,
            interval_s=0.1,
            message=f"{count} mail(s) to {address}",
        )

    def body(self, mail: Mail) -> dict:
        """The whole message: ``Text`` (plain part), ``HTML``, ``Attachments``..."""
        return self.http.get(f"/message/{mail.id}").raise_for_status().json()

    def part(self, mail: Mail, part_id: str) -> bytes:
        return self.http.get(f"/message/{mail.id}/part/{part_id}").raise_for_status().content

    def headers(self, mail: Mail) -> dict[str, list[str]]:
        return self.http.get(f"/message/{mail.id}/headers").raise_for_status().json()


def private_mailpit() -> mailpit.Mailpit:
    """A Mailpit of a test's own, on free ports (stop it with ``mailpit.stop``)."""
    server = mailpit.Mailpit(free_port(), free_port())
    mailpit.start(server)
    return server
