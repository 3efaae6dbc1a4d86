"""Counter payments recorded by staff, the electronic receipt of a payment (read back with
pdftotext), and the day's reconciliation page and export with a refund."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.core.time import to_local
from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.counter import CounterPayment, record_counter_payment
from app.payments.models import BY_COUNTER, CASH, DUE, PAID, Payment
from app.payments.queries import list_charges, paid_online_clause
from app.payments.receipts import receipt_pdf, render_receipt
from tests.official_forms.support import pdftotext
from tests.payments.support import awaiting_payment, fresh
from tests.web import csrf_token, signed_in_client


def test_a_counter_payment_settles_the_charges_and_resumes_the_dossier(app, make_user, user, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_TRANSFER_ACCOUNT", "Ngân hàng A - STK 0123 - UBND")
    dossier = awaiting_payment(make_user("citizen"), user)
    officer = signed_in_client(app, "cv.vpdk")
    url = f"/work/dossiers/{dossier.code}/counter-payments"
    page = officer.get(url).get_data(as_text=True)
    assert "12.500.000 đồng" in page
    assert 'alt="Mã QR chuyển khoản"' in page and 'src="data:image/svg+xml' in page  # the bank transfer's QR
    due = [c.id for c in list_charges(dossier.id) if c.status == DUE]
    form = {"csrf_token": csrf_token(officer, url), "charges": due, "payer_name": "Nguyễn Văn Nộp"}
    refused = officer.post(url, data={**form, "method": "card"})  # a card slip needs its number
    assert refused.status_code == 422 and "Ghi số hóa đơn thẻ" in refused.get_data(as_text=True)
    assert officer.post(url, data={**form, "method": CASH}).status_code == 303
    [payment] = db.session.scalars(db.select(Payment).where(Payment.dossier_id == dossier.id))
    assert (payment.status, payment.confirmed_by, payment.recorded_by.username) == (
        PAID,
        BY_COUNTER,
        "cv.vpdk",
    )
    dossier = fresh(dossier)
    assert dossier.state == "registry_appraising" and dossier.events[-1].actor_id is None
    assert "cán bộ thu" in dossier.events[-1].comment
    assert (
        db.session.scalar(db.select(Dossier.id).where(Dossier.id == dossier.id, paid_online_clause())) is None
    )


def test_staff_of_another_unit_cannot_record_a_payment(app, make_user, user):
    dossier = awaiting_payment(make_user("citizen"), user)
    other = signed_in_client(app, "cv.tckh")  # the district's finance office: never held the dossier
    assert other.get(f"/work/dossiers/{dossier.code}/counter-payments").status_code == 404


def test_the_receipt_pdf_carries_the_amount_and_the_dossier_code(app, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    due = [c.id for c in list_charges(dossier.id) if c.status == DUE]
    with unit_of_work():
        payment = record_counter_payment(
            dossier, user("tn.candang"), CounterPayment(CASH, due, "Nguyễn Văn Nộp")
        )
    text = pdftotext(receipt_pdf(payment))
    assert "BIÊN LAI THU TIỀN" in text.upper() and payment.receipt_number in text
    assert "12.600.000" in text and dossier.code in text
    assert "Mười hai triệu sáu trăm nghìn đồng" in text
    mine = signed_in_client(app, citizen.username, "password123")
    download = mine.get(f"/payments/dossiers/{dossier.code}/receipts/{payment.id}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")  # rendered on the spot: the job has not stored it yet
    render_receipt(payment.id)  # the job, as a worker runs it
    assert db.session.get(Payment, payment.id).storage_key is not None
    stored = mine.get(f"/payments/dossiers/{dossier.code}/receipts/{payment.id}")
    assert stored.status_code == 302  # the stored copy, through a short-lived link


def test_the_days_reconciliation_shows_what_was_expected_paid_and_refunded(app, make_user, user):
    dossier = awaiting_payment(make_user("citizen"), user)
    due = [c.id for c in list_charges(dossier.id) if c.status == DUE]
    with unit_of_work():
        payment = record_counter_payment(dossier, user("cv.vpdk"), CounterPayment(CASH, due))
    day = to_local(payment.paid_at).date().isoformat()
    supervisor = signed_in_client(app, "giamsat.chauthanh")  # the district: the commune and its registry
    refund_url = f"/payments/{payment.id}/refund"
    token = csrf_token(supervisor, refund_url)
    answer = supervisor.post(
        refund_url, data={"csrf_token": token, "amount": "100.000", "reason": "Nộp nhầm lệ phí"}
    )
    assert answer.status_code == 303
    page = supervisor.get(f"/payments/reconciliation?day={day}").get_data(as_text=True)
    assert payment.receipt_number in page and "12.600.000 đồng" in page
    export = supervisor.get(f"/payments/reconciliation.xlsx?day={day}")
    assert export.status_code == 200
    rows = {
        r[0]: r[1:] for r in load_workbook(io.BytesIO(export.data))["Tổng hợp"].iter_rows(values_only=True)
    }
    assert rows["Phải thu trong ngày"] == (2, 12_600_000)
    assert rows["Đã thu: tổng"] == (1, 12_600_000)
    assert rows["Đã hoàn trả"] == (1, 100_000)
    other = signed_in_client(app, "giamsat.tinh")
    assert other.get(f"/payments/reconciliation?day={day}&unit=KHONG-CO").status_code == 404
    assert signed_in_client(app, "cv.vpdk").get("/payments/reconciliation").status_code == 403
