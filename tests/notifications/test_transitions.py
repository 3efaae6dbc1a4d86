"""What the applicant receives when their dossier moves: real SMTP on loopback, real rq worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from app.core.time import local_iso
from app.core.web import local_time
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import act, on_a_working_day, submit
from tests.notifications.support import (
    BIRTH,
    attach_result,
    body_of,
    wait_until_settled,
    walk_to_approved,
    with_subject,
)

ITEMS = [
    "Tờ khai đăng ký khai sinh có chữ ký của người đi đăng ký",
    "Bản chụp rõ nét Giấy chứng sinh",
    "Giấy chứng nhận kết hôn của cha mẹ",
]


def _notifications(dossier_id: int, channel: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.dossier_id == dossier_id)
    if channel:
        query = query.where(Notification.channel == channel)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_acceptance_emails_the_code_and_appointment_through_the_worker(rq_worker, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))

    [message] = mailbox.wait_for(citizen.email)
    body = body_of(message)
    assert dossier.code in message["Subject"] and "tiếp nhận" in message["Subject"]
    assert dossier.code in body
    assert f"Thời gian hẹn trả kết quả: {local_time(dossier.appointment_at)}." in body
    assert f"/my/dossiers/{dossier.code}" in body
    assert message["To"] == citizen.email
    assert message.get_content_charset() == "utf-8"
    sent = wait_until_settled(dossier.id)
    assert [(n.channel, n.kind, n.status) for n in sent] == [
        ("email", "accepted", "sent"),
        ("sms", "accepted", "sent"),
    ]
    assert len(mailbox.messages_to(citizen.email)) == 1


def test_supplement_request_email_lists_every_item_and_the_reason(rq_worker, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    reason = "Giấy tờ chụp bị mờ, thiếu chữ ký"
    act(dossier, "request_supplement", user("tn.candang"), {"items": ITEMS, "comment": reason})

    [message] = mailbox.wait_for(citizen.email)
    body = body_of(message)
    for number, item in enumerate(ITEMS, start=1):
        assert f"{number}. {item}" in body
    assert f"Lý do: {reason}" in body
    assert "chưa được tiếp nhận" in body
    assert user("tn.candang").full_name in body  # the officer to contact (Mẫu 02)
    wait_until_settled(dossier.id)


def test_supplement_during_appraisal_says_the_clock_is_paused(in_process_jobs, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(
        dossier, "return_for_supplement", user("cv.candang"), {"items": ITEMS[:2], "comment": "Thiếu giấy tờ"}
    )

    body = body_of(with_subject(mailbox.messages_to(citizen.email), "cần bổ sung"))
    assert "1. " + ITEMS[0] in body and "2. " + ITEMS[1] in body and ITEMS[2] not in body
    assert "tạm dừng" in body


def test_refusal_email_gives_the_reason(rq_worker, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    reason = "Trẻ đã được đăng ký khai sinh tại xã khác"
    act(dossier, "refuse", user("tn.candang"), {"comment": reason})

    [message] = mailbox.wait_for(citizen.email)
    assert "không được tiếp nhận" in message["Subject"]
    assert f"Lý do: {reason}" in body_of(message)
    wait_until_settled(dossier.id)


def test_rejection_after_appraisal_gives_the_reason(in_process_jobs, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(dossier, "propose", user("cv.candang"))
    act(dossier, "reject", user("ld.candang"), {"comment": "Thông tin người mẹ không khớp CSDL"})

    body = body_of(with_subject(mailbox.messages_to(citizen.email), "không được giải quyết"))
    assert "Lý do: Thông tin người mẹ không khớp CSDL" in body


def test_extension_email_apologises_with_the_new_appointment(rq_worker, mailbox, citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    new_appointment = on_a_working_day(dossier.appointment_at + timedelta(days=3))
    act(
        dossier,
        "extend",
        user("ld.candang"),
        {"new_appointment_at": local_iso(new_appointment), "comment": "Cần xác minh thông tin nơi sinh"},
    )

    messages = mailbox.wait_for(citizen.email, count=2)
    body = body_of(with_subject(messages, "xin lỗi"))
    assert "xin lỗi" in body
    assert f"Thời gian hẹn trả kết quả mới: {local_time(new_appointment)}." in body
    assert "Lý do: Cần xác minh thông tin nơi sinh" in body
    wait_until_settled(dossier.id)


def test_result_ready_email_says_the_result_is_electronic_when_a_file_exists(
    in_process_jobs, mailbox, citizen, user
):
    dossier = walk_to_approved(submit(citizen, BIRTH), user)
    attach_result(dossier, user("tn.candang"))
    act(dossier, "complete", user("tn.candang"))

    body = body_of(with_subject(mailbox.messages_to(citizen.email), "đã có kết quả"))
    assert "bản điện tử" in body and "tải về" in body
    assert "đến nhận kết quả" not in body


def test_result_ready_email_says_to_collect_it_without_a_file(in_process_jobs, mailbox, citizen, user):
    dossier = walk_to_approved(submit(citizen, BIRTH), user)
    act(dossier, "complete", user("tn.candang"))

    body = body_of(with_subject(mailbox.messages_to(citizen.email), "đã có kết quả"))
    assert f"Mời Ông/Bà đến nhận kết quả tại {dossier.receiving_unit.name}." in body
    assert "bản điện tử" not in body


def test_delivery_and_internal_steps_notify_nobody(in_process_jobs, mailbox, citizen, user):
    dossier = walk_to_approved(submit(citizen, BIRTH), user)
    act(dossier, "complete", user("tn.candang"))
    act(dossier, "deliver", user("tn.candang"), {"return_method": "counter"})

    kinds = [n.kind for n in _notifications(dossier.id, "email")]
    assert kinds == ["accepted", "result_ready"]
    assert len(mailbox.messages_to(citizen.email)) == 2


def test_sms_is_logged_for_an_applicant_with_a_phone(in_process_jobs, caplog, monkeypatch, citizen, user):
    channel_log = logging.getLogger("app.notifications.channels")
    # migrations/env.py's fileConfig() disables loggers that existed before `upgrade()` ran
    monkeypatch.setattr(channel_log, "disabled", False)
    caplog.set_level(logging.INFO, logger=channel_log.name)
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))

    [sms] = _notifications(dossier.id, "sms")
    assert sms.status == "sent" and sms.recipient == "0912345678"
    assert len(sms.body) <= 160
    assert dossier.code in sms.body and local_time(dossier.appointment_at) in sms.body
    logged = [r.getMessage() for r in caplog.records if r.name == "app.notifications.channels"]
    assert any(m.startswith("SMS to 0912345678: ") and dossier.code in m for m in logged)


def test_applicant_without_email_gets_no_email_row(in_process_jobs, make_user, user):
    applicant = make_user("citizen", phone="0987654321")
    dossier = submit(applicant, BIRTH)
    act(dossier, "accept", user("tn.candang"))

    assert [n.channel for n in _notifications(dossier.id)] == ["sms"]


def test_applicant_without_phone_gets_no_sms(in_process_jobs, make_user, user):
    applicant = make_user("citizen", email="chi-email@example.vn")
    dossier = submit(applicant, BIRTH)
    act(dossier, "accept", user("tn.candang"))

    assert [n.channel for n in _notifications(dossier.id)] == ["email"]
