"""Delivery channels behind one interface: `send(recipient, subject, body)` raises on failure.

E-mail goes over SMTP (`MAIL_*` settings, app.core.mail); with no `MAIL_SERVER` (the embedded
default) it is written to the log instead. SMS has only a logging backend for now (`SMS_BACKEND="log"`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from app.core.mail import EmailChannel, LogEmailChannel, build_email, email_channel

log = logging.getLogger(__name__)

__all__ = ["Channel", "EmailChannel", "LogEmailChannel", "build_email", "check_config", "get_channel"]

SMS_BACKENDS = ("log",)


class Channel(Protocol):
    def send(self, recipient: str, subject: str | None, body: str) -> None:
        """Deliver one message or raise; the caller records the failure and retries."""


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
        return email_channel(config)
    if name == "sms":
        check_config(config)
        return LogSmsChannel(config)
    raise ValueError(f"unknown notification channel {name!r}")
