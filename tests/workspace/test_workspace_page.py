"""The officer's dossier page: exactly the engine's actions, who may see it, previews, languages."""

from __future__ import annotations

import urllib.parse

import pytest

from app.procedures.vocabulary import ATTACH_DOCUMENTS
from app.workflow.engine import available_transitions
from tests.factories import act
from tests.web import sign_in
from tests.workspace.support import actions_on, birth_to_awaiting_approval, page


@pytest.mark.parametrize("login", ["tn.candang", "cv.candang", "ld.candang"])
def test_page_offers_exactly_the_engine_actions_at_each_stage(birth, user, officer, login):
    client, staff = officer(login), user(login)
    assert actions_on(page(client, birth.code)) == {t.name for t in available_transitions(birth, staff)}
    act(birth, "accept", user("tn.candang"))
    assert actions_on(page(client, birth.code)) == {t.name for t in available_transitions(birth, staff)}
    act(birth, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    html = page(client, birth.code)
    assert actions_on(html) == {t.name for t in available_transitions(birth, staff)}


def test_reception_sees_receipt_actions_and_leader_none_before_acceptance(birth, officer):
    receipt = {"accept", "request_supplement", "refuse"}
    assert actions_on(page(officer("tn.candang"), birth.code)) == {*receipt, ATTACH_DOCUMENTS}
    assert actions_on(page(officer("ld.candang"), birth.code)) == {ATTACH_DOCUMENTS}  # a scan, nothing else


def test_page_shows_header_applicant_form_data_history_and_steps(birth, user, officer):
    act(birth, "accept", user("tn.candang"))
    html = page(officer("ld.candang"), birth.code)
    assert birth.code in html and birth.applicant_name in html
    assert "Đã tiếp nhận" in html or "Được tiếp nhận" in html  # state / national status label
    assert "Trực tuyến" in html  # channel
    assert "Các bước xử lý (phiếu kiểm soát)" in html and "UBND xã tiếp nhận và giải quyết" in html  # the step
    assert "Tiếp nhận hồ sơ (Mẫu 01)" in html  # history: transition label
    assert "Mẫu 01" in html  # the official form (pending or ready)


def test_citizen_gets_403(birth, client, citizen):
    sign_in(client, citizen.username, "password123")
    assert client.get(f"/work/dossiers/{birth.code}").status_code == 403
    assert client.get("/work/intake").status_code == 403


def test_officer_of_another_unit_can_neither_see_nor_act(birth, officer):
    other = officer("tn.chauthanh")
    page(other, birth.code, status=404)
    response = other.post(
        f"/work/dossiers/{birth.code}/actions/accept",
        data={"csrf_token": _token(other), "expected_version": "1"},
    )
    assert response.status_code in (403, 404)
    document_id = birth.documents[0].id
    assert other.get(f"/work/dossiers/{birth.code}/documents/{document_id}/preview").status_code == 404
    assert other.get(f"/work/dossiers/{birth.code}/documents/{document_id}?inline=1").status_code == 404


def _token(client) -> str:
    from tests.web import csrf_token

    return csrf_token(client, "/")


def test_preview_uses_a_short_lived_inline_link(app, birth, officer):
    client = officer("tn.candang")
    document = birth.documents[0]
    preview = client.get(f"/work/dossiers/{birth.code}/documents/{document.id}/preview")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert f"/work/dossiers/{birth.code}/documents/{document.id}?inline=1" in html
    assert "<iframe" in html or "<img" in html
    response = client.get(f"/work/dossiers/{birth.code}/documents/{document.id}?inline=1")
    assert response.status_code == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers["Location"]).query)
    assert 0 < int(query["X-Amz-Expires"][0]) <= app.config["DOWNLOAD_URL_SECONDS"]
    assert query["response-content-disposition"][0].startswith("inline")
    attachment = client.get(f"/work/dossiers/{birth.code}/documents/{document.id}")
    location = urllib.parse.unquote(attachment.headers["Location"])
    assert "response-content-disposition=attachment" in location


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_render_in_both_languages(birth, user, officer, lang):
    birth_to_awaiting_approval(birth, user)
    html = page(officer("ld.candang"), birth.code, query=f"?lang={lang}")
    assert f'<html lang="{lang}">' in html and {"approve", "reject", "extend", "stop"} <= actions_on(html)
    client = officer("tn.candang")
    assert client.get(f"/work/intake?lang={lang}").status_code == 200
    assert client.get(f"/work/intake/1.001193?lang={lang}").status_code == 200
    document = birth.documents[0]
    assert (
        client.get(f"/work/dossiers/{birth.code}/documents/{document.id}/preview?lang={lang}").status_code
        == 200
    )
