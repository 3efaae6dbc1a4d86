"""Sign-in with VNeID over OpenID Connect against a real provider on loopback: accounts made and
kept up to date from verified claims, and every kind of bad answer refused with a clear page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.identity.models import Identity
from tests.identity.conftest import provider_sign_in

DINH, HOA, LEVEL_ONE, COMPANY = "089085000111", "089190000222", "089095000333", "1601234567"


def _signed_in_as(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_first_sign_in_creates_the_citizen_from_verified_claims_and_later_ones_update_it(
    client, oidc_provider
):
    answer = provider_sign_in(client, DINH)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.citizen_id == DINH))
    identity = db.session.scalar(select(Identity).where(Identity.user_id == user.id))
    assert (user.full_name, user.phone, user.email, user.role) == (
        "Trần Văn Định",
        "0912000111",
        "dinh.tv@example.vn",
        "citizen",
    )
    assert identity.kind == "person" and identity.birth_date.isoformat() == "1985-03-12"
    assert identity.assurance_level == 2 and identity.issuer == oidc_provider.issuer
    assert not user.check_password("demo12345")  # no password: the account signs in through VNeID only
    assert "Trần Văn Định" in _signed_in_as(client)

    account = oidc_provider.accounts[DINH]
    account.claims["phone_number"] = "0912999111"
    try:
        client.post("/logout", data={"csrf_token": _csrf(client)})
        provider_sign_in(client, DINH)
    finally:
        account.claims["phone_number"] = "0912000111"
    db.session.expire_all()
    again = db.session.scalars(select(User).where(User.citizen_id == DINH)).all()
    assert [u.id for u in again] == [user.id] and again[0].phone == "0912999111"


def _csrf(client) -> str:
    from tests.web import csrf_token

    return csrf_token(client, "/login")


def test_an_organisation_signs_in_with_its_e_id(client, oidc_provider):
    answer = provider_sign_in(client, COMPANY, kind="organisation")
    assert answer.status_code == 302
    identity = db.session.scalar(select(Identity).where(Identity.tax_code == COMPANY))
    assert identity.kind == "organisation" and identity.representative_name == "Trần Văn Định"
    assert identity.user.full_name == "Công ty TNHH Nông sản Châu Thành" and identity.user.citizen_id is None


def test_a_verified_person_takes_over_a_password_account_registered_with_their_number(
    client, oidc_provider, make_user
):
    squatter = make_user("citizen", citizen_id=HOA, full_name="Người Khác", password="password123")
    assert squatter.check_password("password123")
    provider_sign_in(client, HOA)
    db.session.expire_all()
    owner = db.session.get(User, squatter.id)
    assert owner.full_name == "Lê Thị Hoa" and not owner.check_password("password123")


def test_level_one_accounts_are_refused(client, oidc_provider):
    answer = provider_sign_in(client, LEVEL_ONE)
    assert answer.status_code == 403 and 'data-refusal="assurance"' in answer.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.citizen_id == LEVEL_ONE)) is None


def _refusal(answer) -> str:
    html = answer.get_data(as_text=True)
    assert "Không đăng nhập được" in html, html[:500]
    return html.split('data-refusal="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"nonce": "a-nonce-from-another-sign-in"}, "nonce"),
        ({"expired": True}, "expired"),
        ({"foreign_key": True}, "signature"),
        ({"iss": "http://127.0.0.1:9/khong-phai-vneid"}, "issuer"),
    ],
)
def test_bad_id_tokens_are_refused_with_a_clear_page(client, oidc_provider, tamper, reason):
    oidc_provider.tamper = tamper
    answer = provider_sign_in(client, DINH)
    assert answer.status_code == 400 and _refusal(answer) == reason
    assert db.session.scalar(select(User).where(User.citizen_id == DINH)) is None
    assert "Trần Văn Định" not in _signed_in_as(client)


def test_an_answer_with_another_state_is_refused(client, oidc_provider):
    start = client.get("/login/vneid")
    authorize = start.headers["Location"]
    answer = requests.post(
        authorize, data={"login": DINH, "password": "demo12345"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(answer.headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(f"{back.path}?code={query['code'][0]}&state=not-the-state-this-browser-sent")
    assert forged.status_code == 400 and _refusal(forged) == "state"
    other_browser = client.application.test_client()  # the right state, but another browser's session
    assert _refusal(other_browser.get(f"{back.path}?{back.query}")) == "state"


def test_a_discovery_document_naming_another_issuer_is_refused(client, oidc_provider):
    oidc_provider.tamper = {"discovery_issuer": "http://127.0.0.1:9/khong-phai-vneid"}
    answer = client.get("/login/vneid")
    assert answer.status_code == 400 and _refusal(answer) == "issuer"


def test_an_unreachable_provider_is_a_503_page(client, oidc_provider, app):
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    answer = client.get("/login/vneid")
    assert answer.status_code == 503 and _refusal(answer) == "unavailable"


def test_the_provider_rotating_its_keys_is_followed(client, oidc_provider):
    provider_sign_in(client, DINH)  # the keys are now kept by the app
    client.post("/logout", data={"csrf_token": _csrf(client)})
    oidc_provider.rotate_keys(keep_previous=False)
    answer = provider_sign_in(client, DINH)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]


def test_cancelling_at_the_provider_is_told_plainly(client, oidc_provider):
    start = client.get("/login/vneid")
    answer = requests.post(
        start.headers["Location"], data={"decision": "deny"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(answer.headers["Location"])
    refused = client.get(f"{back.path}?{back.query}")
    assert refused.status_code == 400 and _refusal(refused) == "cancelled"


def test_without_a_configured_provider_the_sign_in_says_so(client, app):
    app.config["OIDC_ISSUER"] = ""
    answer = client.get("/login/vneid")
    assert answer.status_code == 404 and _refusal(answer) == "not_configured"
