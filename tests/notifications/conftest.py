"""Fixtures of the notification tests: a real Mailpit, and the product with its notifications service."""

from __future__ import annotations

import os

import pytest

from deploy import mailpit
from tests.notifications.mailbox import Inbox, private_mailpit


@pytest.fixture(scope="session")
def mail_server(request) -> tuple[str, str]:
    """(SMTP host:port, HTTP URL) of the suite's Mailpit, or of one started for this session."""
    if os.environ.get("TEST_MAILPIT_SMTP") and os.environ.get("TEST_MAILPIT_URL"):
        return os.environ["TEST_MAILPIT_SMTP"], os.environ["TEST_MAILPIT_URL"]
    server = private_mailpit()
    request.config.add_cleanup(lambda: mailpit.stop(server))
    return server.smtp_host_port, server.url


@pytest.fixture(scope="session")
def inbox(mail_server) -> Inbox:
    return Inbox(mail_server[1])
