"""Every portal page renders in Vietnamese and in English."""

from __future__ import annotations

import pytest

from app.procedures import get_registry
from tests.portal.support import fill_birth_draft, post_form, start_draft

LANGS = ["vi", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_public_pages_render(client, lang):
    pages = ["/?", "/procedures?", "/procedures?q=khai+sinh&level=commune&field=ho_tich&"]
    pages += [f"/procedures/{p.code}?" for p in get_registry().list_current()]
    for page in pages:
        response = client.get(f"{page}lang={lang}")
        assert response.status_code == 200, page
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGS)
def test_citizen_pages_render(signed_in, lang):
    drafts = {p.code: start_draft(signed_in, p.code) for p in get_registry().list_current()}
    for draft_id in drafts.values():
        assert signed_in.get(f"/drafts/{draft_id}", query_string={"lang": lang}).status_code == 200
        assert signed_in.get(f"/drafts/{draft_id}?check=1&lang={lang}").status_code == 200
    assert signed_in.get("/drafts", query_string={"lang": lang}).status_code == 200
    birth = drafts["1.001193"]
    fill_birth_draft(signed_in, birth)
    assert post_form(signed_in, birth, action="continue").status_code == 302
    assert signed_in.get(f"/drafts/{birth}/review", query_string={"lang": lang}).status_code == 200


@pytest.mark.parametrize(("lang", "text"), [("vi", "Đăng ký khai sinh"), ("en", "Birth registration")])
def test_home_lists_procedures_in_the_chosen_language(client, lang, text):
    assert text in client.get("/", query_string={"lang": lang}).get_data(as_text=True)
