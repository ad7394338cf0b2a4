"""Ways of reaching a member, behind one interface: email now; Signal or SMS later as adapters.

A channel gets the address (read moments before from the members service, kept only in memory)
and a rendered message. It raises :class:`TemporaryFailure` when trying again later may work (the
server is down or busy) and :class:`PermanentFailure` when it never will (the address is refused).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from services.notifications.config import Settings, SmtpSecurity
from services.notifications.messages import Message

# Long links in headers (List-Unsubscribe) stay one plain line (RFC 5322 allows 998 characters):
# with the default 78, Python would wrap them in encoded words no mail program reads as a link.
MAIL_POLICY = policy.default.clone(max_line_length=998)
# A kept connection unused for longer than this is asked NOOP before the next message: servers
# drop idle clients, and a message must start on a conversation known to be alive.
CHECK_AFTER_IDLE_SECONDS = 2.0


class TemporaryFailure(Exception):
    """The channel could not deliver now; the delivery is retried with backoff."""


class PermanentFailure(Exception):
    """The channel will never deliver this; the delivery is marked failed at once."""


class Channel(Protocol):
    name: str

    def send(self, address: str, message: Message, message_id: str) -> None:
        """Hand the message over for delivery; ``message_id`` is stable across retries."""


class EmailChannel:
    """SMTP with STARTTLS or TLS and optional authentication.

    Each sending thread keeps its own connection open between messages for up to
    ``smtp_keepalive_seconds``: opening one (TCP, EHLO, the TLS handshake, the login) costs more
    than the message itself. One idle for a moment is checked with NOOP before it is used again,
    and one that failed in any way is closed, so a message is never sent over a conversation in
    an unknown state; a retry (with backoff, as before) opens a fresh one.
    """

    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._held = threading.local()  # this thread's connection and when it last sent

    def compose(self, address: str, message: Message, message_id: str) -> EmailMessage:
        mail = EmailMessage(policy=MAIL_POLICY)
        mail["From"] = self.settings.mail_from
        mail["To"] = address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = message_id  # the same on a retry: a receiving server can spot a repeat
        mail["Auto-Submitted"] = "auto-generated"
        for name, value in message.headers.items():
            mail[name] = value
        # Plain text only: no HTML, so no tracking pixel, no remote image or font can hide in it.
        mail.set_content(message.text)
        mail["Content-Language"] = message.language  # after set_content, which resets Content-* headers
        for attachment in message.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            assert maintype == "text", "only text attachments (calendar invitations) are sent"
            mail.add_attachment(
                attachment.text, subtype=subtype, filename=attachment.filename, params=attachment.params
            )
        return mail

    def send(self, address: str, message: Message, message_id: str) -> None:
        mail = self.compose(address, message, message_id)
        try:
            try:
                self._connection().send_message(mail)
            except BaseException:
                self._discard()  # whatever state the conversation is in, no next message goes over it
                raise
            self._held.used_at = time.monotonic()
        except smtplib.SMTPRecipientsRefused as error:
            codes = {code for code, _ in error.recipients.values()}
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailure("recipient refused for now") from None
            raise PermanentFailure("recipient refused") from None
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TemporaryFailure(f"SMTP {error.smtp_code}") from None
            raise PermanentFailure(f"SMTP {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:  # refused, reset, timed out, TLS failed
            raise TemporaryFailure(type(error).__name__) from None

    def close(self) -> None:
        """Say goodbye (QUIT) on this thread's connection, if it holds one, and close it."""
        smtp = getattr(self._held, "smtp", None)
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self._discard()

    def _discard(self) -> None:
        """Drop this thread's connection without a word: after a failure, QUIT could wait a timeout."""
        smtp, self._held.smtp = getattr(self._held, "smtp", None), None
        if smtp is not None:
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        """This thread's open connection if it is still good, else a new one (logged in)."""
        smtp: smtplib.SMTP | None = getattr(self._held, "smtp", None)
        if smtp is not None:
            idle = time.monotonic() - self._held.used_at
            if idle > self.settings.smtp_keepalive_seconds or (idle > CHECK_AFTER_IDLE_SECONDS and not _alive(smtp)):
                self._discard()  # an old one may be half closed already: no QUIT to wait on
                smtp = None
        if smtp is None:
            smtp = self._connect()
            self._held.smtp, self._held.used_at = smtp, time.monotonic()
            if self.settings.smtp_username:
                smtp.login(self.settings.smtp_username, self.settings.smtp_password)
        return smtp

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        timeout = settings.smtp_timeout_seconds
        if settings.smtp_security is SmtpSecurity.tls:
            return smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout, local_hostname=_hostname())
        if settings.smtp_security is SmtpSecurity.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp


def _alive(smtp: smtplib.SMTP) -> bool:
    """The server still answers on this connection (it may have closed it while it was idle)."""
    try:
        return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _hostname() -> str:
    return socket.gethostname() or "localhost"
