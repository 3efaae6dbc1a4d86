"""Sending: idempotent, failures recorded and raised for rq to retry, channels chosen by config."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import uow
from app.core.db import utcnow
from app.extensions import db
from app.notifications.channels import LogEmailChannel, build_email, check_config, get_channel
from app.notifications.jobs import send_notification
from app.notifications.models import Notification
from app.notifications.services import notify_transition, resend_unsent
from app.outbox.models import OutboxMessage
from tests.factories import act, submit
from tests.notifications.support import BIRTH


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def _pending_email(dossier, address: str) -> Notification:
    notification = Notification(
        dossier_id=dossier.id,
        kind="accepted",
        channel="email",
        recipient=address,
        subject="Hồ sơ đã được tiếp nhận",
        body="Nội dung thư",
    )
    db.session.add(notification)
    uow.commit()
    return notification


def test_running_the_handler_again_sends_once(in_process_jobs, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    message = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.dossier_id == dossier.id, OutboxMessage.topic == "dossier.transitioned"
        )
    )
    for _ in range(2):
        notify_transition(message)
        uow.commit()
    rows = list(db.session.scalars(select(Notification).where(Notification.dossier_id == dossier.id)))
    for row in rows:
        send_notification(row.id)

    assert sorted(n.channel for n in rows) == ["email", "sms"]
    assert all(n.status == "sent" and n.attempts == 1 for n in rows)
    assert len(mailbox.messages_to(citizen.email)) == 1


def test_smtp_down_marks_the_notification_failed_and_raises(app, monkeypatch, mailbox, citizen):
    notification = _pending_email(submit(citizen, BIRTH), citizen.email)
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())

    with pytest.raises(OSError):
        send_notification(notification.id)

    db.session.refresh(notification)
    assert notification.status == "failed" and notification.attempts == 1
    assert notification.last_error.startswith("ConnectionRefusedError")
    assert notification.sent_at is None and mailbox.messages_to(citizen.email) == []


def test_a_retry_after_the_server_is_back_sends_it(app, monkeypatch, mailbox, citizen):
    notification = _pending_email(submit(citizen, BIRTH), citizen.email)
    real_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    with pytest.raises(OSError):
        send_notification(notification.id)

    monkeypatch.setitem(app.config, "MAIL_PORT", real_port)
    send_notification(notification.id)

    db.session.refresh(notification)
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, None)
    assert len(mailbox.messages_to(citizen.email)) == 1


def test_a_sent_notification_is_not_sent_again(mailbox, citizen):
    notification = _pending_email(submit(citizen, BIRTH), citizen.email)
    send_notification(notification.id)
    send_notification(notification.id)

    db.session.refresh(notification)
    assert notification.attempts == 1 and len(mailbox.messages_to(citizen.email)) == 1


def test_resend_sends_what_was_left_unsent(in_process_jobs, app, mailbox, citizen):
    dossier = submit(citizen, BIRTH)
    stale = _pending_email(dossier, citizen.email)
    stale.created_at = utcnow() - timedelta(hours=1)
    fresh = _pending_email(dossier, "moi-" + citizen.email)  # its own job may still be on its way
    uow.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "resend", "--older-than", "600"])

    assert result.exit_code == 0 and "re-enqueued 1 notification(s)" in result.output
    db.session.refresh(stale)
    db.session.refresh(fresh)
    assert (stale.status, fresh.status) == ("sent", "pending")
    assert len(mailbox.messages_to(citizen.email)) == 1
    assert resend_unsent(600) == 0


def test_a_missing_notification_is_a_no_op():
    send_notification(987654)


def test_without_mail_server_the_email_is_logged_not_sent(monkeypatch, caplog):
    channel_log = logging.getLogger("app.core.mail")  # the e-mail channels live there
    monkeypatch.setattr(channel_log, "disabled", False)  # see test_sms_is_logged_...
    caplog.set_level(logging.INFO, logger=channel_log.name)
    config = {"MAIL_SERVER": "", "MAIL_SENDER": "Một cửa <no-reply@example.vn>"}

    channel = get_channel("email", config)
    channel.send("a@example.vn", "Tiêu đề", "Nội dung")

    assert isinstance(channel, LogEmailChannel)
    assert "a@example.vn" in caplog.text and "Nội dung" in caplog.text


def test_email_is_plain_utf8_text_with_an_encoded_subject():
    sender = "Một cửa An Giang <no-reply@angiang.example.vn>"
    message = build_email(sender, "a@example.vn", "Hồ sơ đã được tiếp nhận", "Kính gửi Ông/Bà")

    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Message-ID"].endswith("@angiang.example.vn>")
    assert message.as_bytes().isascii()  # headers and body are transfer-encoded for any relay
    assert message["Subject"] == "Hồ sơ đã được tiếp nhận" and message.get_content() == "Kính gửi Ông/Bà\n"


def test_an_unknown_sms_backend_is_refused_at_start():
    check_config({"SMS_BACKEND": "log"})
    with pytest.raises(RuntimeError, match="SMS_BACKEND"):
        check_config({"SMS_BACKEND": "viettel"})
