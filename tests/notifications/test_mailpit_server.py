"""deploy/mailpit.py: Mailpit built from its Go module, started on loopback, ready, stopped by pid."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import uuid
from email.message import EmailMessage

import pytest

from deploy import mailpit
from tests.notifications.mailbox import Inbox, private_mailpit


def test_a_mail_sent_over_smtp_is_read_back_through_the_http_api_and_stop_ends_the_process():
    server = private_mailpit()
    pid = mailpit.running_pid(server)
    try:
        address = f"someone-{uuid.uuid4().hex[:8]}@example.org"
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "noreply@example.org", address, "Hello"
        message.set_content("First line.\nSecond line.")
        with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
        [mail] = Inbox(server.url).wait_for(address)
        assert mail.subject == "Hello" and mail.snippet.startswith("First line.")
    finally:
        mailpit.stop(server)
    assert mailpit.running_pid(server) is None
    assert subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0


def test_the_binary_is_built_once_and_cached_under_the_version():
    built = mailpit.binary()
    assert built.parent.name == mailpit.VERSION and built.parent.parent.name == "mailpit"
    assert mailpit.binary() == built


def test_starting_on_a_port_another_program_holds_fails_clearly(tmp_path, monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = mailpit.Mailpit(smtp_port=port, http_port=port + 1)
        monkeypatch.setattr(mailpit.Mailpit, "home", property(lambda self: tmp_path))
        with pytest.raises(SystemExit, match="taken by another program"):
            mailpit.start(server)


def test_a_stale_pid_file_is_cleared(tmp_path, monkeypatch):
    server = mailpit.Mailpit(smtp_port=29025, http_port=29026)
    monkeypatch.setattr(mailpit.Mailpit, "home", property(lambda self: tmp_path))
    finished = subprocess.Popen(["true"])
    finished.wait()
    server.pid_file.write_text(str(finished.pid))
    assert mailpit.running_pid(server) is None and not server.pid_file.exists()
