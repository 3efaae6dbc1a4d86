"""Online payment against the platform simulator on loopback: our signed request is accepted (and a
tampered one refused) by the simulator, the tester pays or cancels on its page, its signed
confirmation (kept by the relay) is handed to the app; the same confirmation twice pays once; a
tampered one, or one whose amount or currency differs, is refused and logged; the browser's return
is not believed; a payment whose confirmation was lost is found by the reconciliation job."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments import platform
from app.payments.models import (
    BAD_AMOUNT,
    BAD_CURRENCY,
    BAD_SIGNATURE,
    CANCELLED,
    DUE,
    DUPLICATE,
    EXPIRED,
    PAID,
    PENDING,
    Payment,
    PlatformMessage,
)
from app.payments.online import reconcile_pending, start_online_payment
from app.payments.queries import has_charges_clause, list_charges, paid_online_clause
from tests.payments.conftest import KEY, MERCHANT
from tests.payments.support import awaiting_payment, fresh, query_of
from tests.web import csrf_token, signed_in_client

NOTIFY = "/api/v1/payments/platform/notify"


def _start(dossier, citizen) -> tuple[Payment, str]:
    with unit_of_work():
        started = start_online_payment(dossier, citizen)
    return started.payment, started.url


def _decide(simulator, url: str, decision: str, *, notify: bool = True) -> requests.Response:
    """The tester on the simulator's page: opens it (the simulator checks our signature), then pays
    or cancels; the simulator sends its confirmation to the relay (unless told to lose it)."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    order_id = query_of(url)["orderId"]
    form = {"decision": decision} if notify else {"decision": decision, "notify": "0"}
    return requests.post(f"{simulator.url}/pay/{order_id}", data=form, allow_redirects=False, timeout=10)


def _messages(payment_id: int) -> list[str]:
    query = select(PlatformMessage.outcome).where(PlatformMessage.payment_id == payment_id)
    return list(db.session.scalars(query.order_by(PlatformMessage.id)))


def _everything_due(dossier) -> int:
    return sum(c.amount for c in list_charges(dossier.id) if c.status == DUE)


def test_signed_round_trip_pays_once_and_resumes_the_clock(
    app, client, platform_config, relay, make_user, user
):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    owed = _everything_due(dossier)  # the certificate fee fixed at receipt and the land-use levy
    payment, url = _start(dossier, citizen)
    assert (payment.status, payment.amount) == (PENDING, owed)
    request = query_of(url)
    assert platform.has_valid_signature(request, KEY) and request["amount"] == str(owed)
    back = _decide(platform_config, url, "pay")
    assert back.status_code == 303 and back.headers["Location"].startswith(app.config["PUBLIC_BASE_URL"])
    confirmation = relay.last_for(payment.reference)
    assert confirmation["status"] == "paid" and platform.has_valid_signature(confirmation, KEY)

    answer = client.post(NOTIFY, json=confirmation)
    assert (answer.status_code, answer.get_json()["code"]) == (200, "00")
    payment, dossier = db.session.get(Payment, payment.id), fresh(dossier)
    assert payment.status == PAID and payment.receipt_number and payment.platform_transaction
    assert {c.status for c in list_charges(dossier.id)} == {PAID}
    assert dossier.state == "registry_appraising" and dossier.paused_at is None
    confirmed = dossier.events[-1]
    assert confirmed.transition == "confirm_payment" and confirmed.actor_id is None  # "Hệ thống"
    assert payment.platform_transaction in confirmed.comment and payment.receipt_number in confirmed.comment

    again = client.post(NOTIFY, json=confirmation)  # the platform sends it once more
    assert (again.status_code, again.get_json()["code"]) == (200, "02")
    dossier = fresh(dossier)
    assert [e.transition for e in dossier.events].count("confirm_payment") == 1
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.dossier_id == dossier.id)) == 1
    assert _messages(payment.id) == ["confirmed", DUPLICATE]
    counted = select(Dossier.id).where(Dossier.id == dossier.id, has_charges_clause(), paid_online_clause())
    assert db.session.scalar(counted) == dossier.id  # what Decision 766 group 4 counts


def test_tampered_and_mismatched_confirmations_are_refused_and_logged(
    client, platform_config, relay, make_user, user
):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    payment, url = _start(dossier, citizen)
    _decide(platform_config, url, "pay")
    genuine = relay.last_for(payment.reference)

    tampered = {**genuine, "amount": "1000"}  # the signature no longer matches
    answer = client.post(NOTIFY, json=tampered)
    assert (answer.status_code, answer.get_json()["code"]) == (403, "97")
    for change, status, code in (
        ({"amount": str(payment.amount - 1)}, 422, "04"),
        ({"currencyCode": "USD"}, 422, "05"),
    ):
        fields = {k: v for k, v in genuine.items() if k != "signature"} | change
        answer = client.post(NOTIFY, json=platform.signed(fields, KEY))  # well signed, wrong facts
        assert (answer.status_code, answer.get_json()["code"]) == (status, code)
    assert client.post(NOTIFY, data="not json").status_code == 400

    assert db.session.get(Payment, payment.id).status == PENDING
    assert fresh(dossier).state == "payment_requested"
    assert _messages(payment.id) == [BAD_AMOUNT, BAD_CURRENCY]  # refused, and kept although answered 4xx
    kept = db.session.scalars(
        select(PlatformMessage.outcome).where(PlatformMessage.order_id == payment.reference)
    )
    assert BAD_SIGNATURE not in list(kept)  # anyone may post unsigned junk: the log, not the database


def test_a_cancelled_payment_leaves_the_obligation_open(client, platform_config, relay, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    payment, url = _start(dossier, citizen)
    _decide(platform_config, url, "cancel")
    answer = client.post(NOTIFY, json=relay.last_for(payment.reference))
    assert answer.status_code == 200
    assert db.session.get(Payment, payment.id).status == CANCELLED
    assert fresh(dossier).state == "payment_requested"
    assert all(c.status == DUE for c in list_charges(dossier.id))
    second, _url = _start(fresh(dossier), citizen)  # the citizen may try again
    assert second.id != payment.id and second.status == PENDING


def test_the_simulator_refuses_a_request_whose_amount_was_changed(platform_config, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    _payment, url = _start(dossier, citizen)
    fields = query_of(url) | {"amount": "1000"}
    page = requests.get(f"{platform_config.url}/pay", params=fields, timeout=10)
    assert page.status_code == 400 and "Chữ ký" in page.text


def test_the_browser_return_is_not_believed_the_platform_is_asked(app, platform_config, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    payment, url = _start(dossier, citizen)
    browser = signed_in_client(app, citizen.username, "password123")
    # A forged return saying "paid" while the platform has seen no payment: nothing changes.
    forged = browser.get(f"/payments/return?orderId={payment.reference}&status=paid")
    assert forged.status_code == 303 and forged.headers["Location"].endswith(
        f"/my/dossiers/{dossier.code}#thanh-toan"
    )
    assert db.session.get(Payment, payment.id).status == PENDING
    # Paid on the platform, its confirmation lost: the return asks the platform, which says paid.
    _decide(platform_config, url, "pay", notify=False)
    browser.get(f"/payments/return?orderId={payment.reference}")
    assert db.session.get(Payment, payment.id).status == PAID
    page = browser.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Biên lai" in page and "Không còn khoản nào phải nộp" in page


def test_a_pending_payment_is_reconciled_by_the_job(app, platform_config, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    payment, url = _start(dossier, citizen)
    _decide(platform_config, url, "pay", notify=False)  # the confirmation is lost on the way
    assert reconcile_pending(utcnow()) == {}  # too recent to ask about
    later = utcnow() + timedelta(seconds=app.config["PAYMENT_QUERY_AFTER_SECONDS"] + 1)
    assert reconcile_pending(later) == {"confirmed": 1}
    assert db.session.get(Payment, payment.id).status == PAID
    assert fresh(dossier).state == "registry_appraising"


def test_a_payment_the_platform_never_saw_expires(app, platform_config, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    payment, _url = _start(dossier, citizen)  # the citizen closed the tab before the platform's page
    much_later = utcnow() + timedelta(hours=app.config["PAYMENT_EXPIRE_HOURS"], seconds=1)
    assert reconcile_pending(much_later) == {EXPIRED: 1}
    assert db.session.get(Payment, payment.id).status == EXPIRED
    assert fresh(dossier).state == "payment_requested"


def test_paying_online_needs_the_platform_and_something_due(app, make_user, user):
    citizen = make_user("citizen")
    dossier = awaiting_payment(citizen, user)
    browser = signed_in_client(app, citizen.username, "password123")
    token = csrf_token(browser, f"/my/dossiers/{dossier.code}")
    answer = browser.post(f"/my/dossiers/{dossier.code}/payments", data={"csrf_token": token})
    assert answer.status_code == 409 and "chưa được cấu hình" in answer.get_data(as_text=True)
    assert MERCHANT != app.config["PAYMENT_MERCHANT_CODE"]  # the platform is set only by platform_config
