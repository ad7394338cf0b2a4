"""Ways of reaching a member, behind one interface: email now; Signal or SMS later as adapters.

A channel gets the address (read moments before from the members service, kept only in memory)
and a rendered message. It raises :class:`TemporaryFailure` when trying again later may work (the
server is down or busy) and :class:`PermanentFailure` when it never will (the address is refused).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from services.notifications.config import Settings, SmtpSecurity
from services.notifications.messages import Message

# Long links in headers (List-Unsubscribe) stay one plain line (RFC 5322 allows 998 characters):
# with the default 78, Python would wrap them in encoded words no mail program reads as a link.
MAIL_POLICY = policy.default.clone(max_line_length=998)


class TemporaryFailure(Exception):
    """The channel could not deliver now; the delivery is retried with backoff."""


class PermanentFailure(Exception):
    """The channel will never deliver this; the delivery is marked failed at once."""


class Channel(Protocol):
    name: str

    def send(self, address: str, message: Message, message_id: str) -> None:
        """Hand the message over for delivery; ``message_id`` is stable across retries."""


class EmailChannel:
    """SMTP with STARTTLS or TLS and optional authentication; one connection per message."""

    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings

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
            mail.add_attachment(attachment.text, subtype=subtype, filename=attachment.filename,
                                params=attachment.params)
        return mail

    def send(self, address: str, message: Message, message_id: str) -> None:
        mail = self.compose(address, message, message_id)
        try:
            with self._connect() as smtp:
                if self.settings.smtp_username:
                    smtp.login(self.settings.smtp_username, self.settings.smtp_password)
                smtp.send_message(mail)
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

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        timeout = settings.smtp_timeout_seconds
        if settings.smtp_security is SmtpSecurity.tls:
            return smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout, local_hostname=_hostname())
        if settings.smtp_security is SmtpSecurity.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp


def _hostname() -> str:
    return socket.gethostname() or "localhost"
