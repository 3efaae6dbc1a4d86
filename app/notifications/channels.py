"""Delivery channels behind one interface: `send(recipient, subject, body)` raises on failure.

E-mail goes over SMTP (`MAIL_*` settings); with no `MAIL_SERVER` (the embedded default) it is written
to the log instead. SMS has only a logging backend for now (`SMS_BACKEND="log"`).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
SMS_BACKENDS = ("log",)


class Channel(Protocol):
    def send(self, recipient: str, subject: str | None, body: str) -> None:
        """Deliver one message or raise; the caller records the failure and retries."""


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


class LogSmsChannel:
    """SMS written to the log. This is the only SMS backend until a gateway (an SMS brand-name
    provider's API) is configured: add a class with the same `send` and a `SMS_BACKEND` value for it."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        pass

    def send(self, recipient: str, subject: str | None, body: str) -> None:
        log.info("SMS to %s: %s", recipient, body)


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to start with an SMS backend that does not exist, rather than fail at the first SMS."""
    backend = config.get("SMS_BACKEND") or "log"
    if backend not in SMS_BACKENDS:
        raise RuntimeError(f"SMS_BACKEND={backend!r} is not supported; use one of: {', '.join(SMS_BACKENDS)}")


def get_channel(name: str, config: Mapping[str, Any]) -> Channel:
    if name == "email":
        return EmailChannel(config) if config.get("MAIL_SERVER") else LogEmailChannel(config)
    if name == "sms":
        check_config(config)
        return LogSmsChannel(config)
    raise ValueError(f"unknown notification channel {name!r}")
