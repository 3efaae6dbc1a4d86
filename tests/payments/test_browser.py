"""A citizen on a 360 px phone pays a land dossier's financial obligation on the payment platform
simulator, by keyboard, in Debian's Chromium: a cancelled attempt leaves the obligation open; the
paid one is confirmed to the app server to server, which resumes the clock; the receipt PDF opens;
the same confirmation sent again changes nothing, and a tampered one is refused."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from sqlalchemy import select

from app.extensions import db
from app.payments import platform
from app.payments.models import CANCELLED, PAID, Payment
from tests.official_forms.support import pdftotext
from tests.payments.conftest import KEY, MERCHANT
from tests.payments.support import awaiting_payment, fresh
from tests.web import browser_sign_in

PAY = "Thanh toán trực tuyến 12.600.000 đồng"


def _payments(dossier_id: int) -> list[Payment]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Payment).where(Payment.dossier_id == dossier_id).order_by(Payment.id))
    )


def _press(page, role: str, name: str) -> None:
    page.get_by_role(role, name=name).focus()
    page.keyboard.press("Enter")


def test_citizen_pays_an_obligation_on_the_simulator_and_gets_the_receipt(
    app, page_factory, live_server, simulator, screenshot, make_user, user, monkeypatch
):
    for name, value in {"PAYMENT_PLATFORM_URL": simulator.url, "PAYMENT_MERCHANT_CODE": MERCHANT}.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.config, "PAYMENT_PLATFORM_KEY", KEY)  # confirmations go to the live server
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    page = page_factory(width=360, height=740)
    browser_sign_in(page, citizen.username, "password123")
    page.goto(f"/my/dossiers/{dossier.code}")
    assert "Tiền sử dụng đất" in page.content() and "Thời hạn giải quyết tạm dừng" in page.content()

    _press(page, "button", PAY)  # first attempt: cancelled on the platform
    page.wait_for_url(re.compile(re.escape(simulator.url) + r"/pay\?"))
    assert "12.600.000 ₫" in page.content()
    _press(page, "button", "Hủy giao dịch")
    page.wait_for_url(re.compile(rf"/my/dossiers/{re.escape(dossier.code)}"))
    assert "chưa được thanh toán" in page.content()
    [cancelled] = _payments(dossier.id)
    assert cancelled.status == CANCELLED and fresh(dossier).state == "payment_requested"

    _press(page, "button", PAY)  # second attempt: paid
    page.wait_for_url(re.compile(re.escape(simulator.url) + r"/pay\?"))
    _press(page, "button", "Thanh toán")
    page.wait_for_url(re.compile(rf"/my/dossiers/{re.escape(dossier.code)}"))
    paid = _payments(dossier.id)[-1]
    assert paid.status == PAID and paid.confirmed_by == "callback"  # the server-to-server message did it
    assert "Không còn khoản nào phải nộp" in page.content()
    screenshot(page, "payment-paid-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    resumed = fresh(dossier)
    assert resumed.state == "registry_appraising" and resumed.paused_at is None

    with page.expect_download() as download:
        _press(page, "link", f"Biên lai {paid.receipt_number}")
    text = pdftotext(Path(download.value.path()).read_bytes())
    assert paid.receipt_number in text and "12.600.000" in text and dossier.code in text

    again = requests.post(f"{simulator.url}/api/orders/{paid.reference}/resend", timeout=10).json()
    assert again["status"] == 200 and '"02"' in again["answer"]  # already confirmed
    tampered = {**simulator.signed_confirmation(simulator.orders[paid.reference]), "amount": "1"}
    refused = requests.post(f"{live_server}/api/v1/payments/platform/notify", json=tampered, timeout=10)
    assert refused.status_code == 403 and not platform.has_valid_signature(tampered, KEY)
    after = fresh(dossier)
    assert [e.transition for e in after.events].count("confirm_payment") == 1
    assert [p.status for p in _payments(dossier.id)] == [CANCELLED, PAID]
