"""Who may fetch a form: whoever may see the dossier; everyone else gets 404, like a wrong code."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from app.extensions import db
from app.official_forms.models import IssuedForm
from tests.factories import act
from tests.official_forms.support import only_form, pdf_text
from tests.web import sign_in

pytestmark = pytest.mark.usefixtures("in_process_jobs")


@pytest.fixture
def accepted(birth, user):
    return act(birth, "accept", user("tn.candang"))


def _fetch(location: str) -> bytes:
    """Follow the presigned link to the S3 server, as the browser does."""
    with urllib.request.urlopen(location, timeout=10) as response:  # noqa: S310 (test S3 server URL)
        return response.read()


def test_owner_downloads_mau_01_from_the_page_link(client, accepted, citizen):
    issued = only_form(accepted.id, "mau_01")
    sign_in(client, citizen.username, "password123")
    response = client.get(f"/dossiers/{accepted.code}/forms/{issued.id}")
    assert response.status_code == 302
    pdf = _fetch(response.headers["Location"])
    assert pdf.startswith(b"%PDF-") and accepted.code in pdf_text(pdf)
    assert f"Mau01-{accepted.code}.pdf" in urllib.parse.unquote(response.headers["Location"])


def test_signed_out_visitor_is_sent_to_sign_in(client, accepted):
    issued = only_form(accepted.id, "mau_01")
    response = client.get(f"/dossiers/{accepted.code}/forms/{issued.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_citizen_gets_404_on_page_and_api(client, accepted, make_user, auth_headers):
    issued = only_form(accepted.id, "mau_01")
    other = make_user("citizen")
    sign_in(client, other.username, "password123")
    assert client.get(f"/dossiers/{accepted.code}/forms/{issued.id}").status_code == 404
    headers = auth_headers(other)
    assert client.get(f"/api/v1/dossiers/{accepted.code}/forms", headers=headers).status_code == 404
    download = f"/api/v1/dossiers/{accepted.code}/forms/{issued.id}/download"
    assert client.get(download, headers=headers).status_code == 404


def test_form_of_another_dossier_or_not_ready_is_404(client, accepted, citizen, user):
    from tests.factories import submit

    other = act(submit(citizen, "1.001193"), "accept", user("tn.candang"))
    foreign = only_form(other.id, "mau_01")
    sign_in(client, citizen.username, "password123")
    assert client.get(f"/dossiers/{accepted.code}/forms/{foreign.id}").status_code == 404
    pending = IssuedForm(
        dossier_id=accepted.id,
        event_id=accepted.events[-1].id,
        form_key="refusal",
        form_set="tt01_2018",
        form="mau_03",
        content={},
    )
    db.session.add(pending)
    db.session.commit()
    assert client.get(f"/dossiers/{accepted.code}/forms/{pending.id}").status_code == 404


def test_api_lists_forms_for_the_owner_and_the_unit_staff(client, accepted, citizen, user, auth_headers):
    issued = only_form(accepted.id, "mau_01")
    for who in (citizen, user("tn.candang")):
        response = client.get(f"/api/v1/dossiers/{accepted.code}/forms", headers=auth_headers(who))
        assert response.status_code == 200
        assert response.json == [
            {
                "id": issued.id,
                "form": "mau_01",
                "form_key": "receipt",
                "form_set": "tt03_2025",
                "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                "status": "ready",
                "created_at": response.json[0]["created_at"],
                "ready_at": response.json[0]["ready_at"],
            }
        ]
        assert response.json[0]["ready_at"].endswith("+07:00")
    download = client.get(
        f"/api/v1/dossiers/{accepted.code}/forms/{issued.id}/download", headers=auth_headers(citizen)
    )
    assert download.status_code == 302 and _fetch(download.headers["Location"]).startswith(b"%PDF-")


def test_api_needs_a_token(client, accepted):
    assert client.get(f"/api/v1/dossiers/{accepted.code}/forms").status_code == 401
