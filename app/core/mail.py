"""E-mail over SMTP (`MAIL_*` settings), shared by every domain that writes to people (dossier
notifications, password reset links). With no `MAIL_SERVER` (the embedded default) a message is
written to the log instead of sent."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10


def build_email(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message, 7-bit clean (quoted-printable body, RFC 2047 headers), so any
    relay accepts it, with or without 8BITMIME / SMTPUTF8."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


class EmailChannel:
    """SMTP, with STARTTLS and login when configured."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.server = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.sender = config["MAIL_SENDER"]

    def send(self, recipient: str, subject: str | None, body: str) -> None:
        message = build_email(self.sender, recipient, subject or "", body)
        with smtplib.SMTP(self.server, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


class LogEmailChannel:
    """The embedded default (no `MAIL_SERVER`): the message is logged, not sent."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sender = config["MAIL_SENDER"]

    def send(self, recipient: str, subject: str | None, body: str) -> None:
        log.info("e-mail (not sent, MAIL_SERVER is empty) to %s: %s\n%s", recipient, subject, body)


def email_channel(config: Mapping[str, Any]) -> EmailChannel | LogEmailChannel:
    return EmailChannel(config) if config.get("MAIL_SERVER") else LogEmailChannel(config)
