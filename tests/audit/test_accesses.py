"""Access to personal data is logged: an officer opening a dossier or downloading its files (pages
or API) leaves one row each; the applicant sees which unit and role looked, nobody else does, and
the administrator reads the whole log with filters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import DossierAccess
from app.extensions import db


def _accesses(dossier) -> list[DossierAccess]:
    return list(
        db.session.scalars(select(DossierAccess).where(DossierAccess.dossier_id == dossier.id).order_by("id"))
    )


def test_an_officer_viewing_and_downloading_leaves_rows(dossier, signed_in, user):
    officer = signed_in("tn.candang")
    document = dossier.documents[0]
    assert officer.get(f"/work/dossiers/{dossier.code}").status_code == 200
    assert officer.get(f"/work/dossiers/{dossier.code}/documents/{document.id}").status_code in (200, 302)
    rows = _accesses(dossier)
    tn = user("tn.candang")
    assert [(r.kind, r.user_id, r.role, r.unit_id, r.channel) for r in rows] == [
        ("view", tn.id, tn.role, tn.unit_id, "web"),
        ("document", tn.id, tn.role, tn.unit_id, "web"),
    ]
    assert rows[1].document_id == document.id and rows[1].item_name == document.original_name
    assert rows[0].ip == "127.0.0.1"


def test_the_api_detail_and_download_are_logged(dossier, client, user, auth_headers):
    headers = auth_headers(user("cv.candang"))
    document = dossier.documents[0]
    assert client.get(f"/api/v1/dossiers/{dossier.code}", headers=headers).status_code == 200
    download = client.get(
        f"/api/v1/dossiers/{dossier.code}/documents/{document.id}/download", headers=headers
    )
    assert download.status_code in (200, 302)
    assert [(r.kind, r.channel) for r in _accesses(dossier)] == [("view", "api"), ("document", "api")]


def test_a_refused_look_leaves_no_row(dossier, signed_in, make_user):
    stranger = signed_in(make_user("specialist", unit="000.00.00.H01").username, "password123")
    assert stranger.get(f"/work/dossiers/{dossier.code}").status_code in (403, 404)
    assert _accesses(dossier) == []


def test_the_applicant_sees_who_looked_but_is_not_logged_themselves(dossier, citizen, signed_in):
    assert signed_in("tn.candang").get(f"/work/dossiers/{dossier.code}").status_code == 200
    owner = signed_in(citizen.username, "password123")
    html = owner.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Ai đã xem hồ sơ của tôi" in html
    section = html[html.index("Ai đã xem hồ sơ của tôi") :]
    assert "UBND xã Cần Đăng" in section or "Cần Đăng" in section
    assert "Cán bộ một cửa" in section and "Xem hồ sơ" in section
    assert [r.kind for r in _accesses(dossier)] == ["view"]  # the owner's own visit is not recorded


def test_another_citizen_cannot_see_the_log(dossier, signed_in, make_user):
    signed_in("tn.candang").get(f"/work/dossiers/{dossier.code}")
    other = signed_in(make_user("citizen").username, "password123")
    response = other.get(f"/my/dossiers/{dossier.code}")
    assert response.status_code == 404
    assert "Ai đã xem hồ sơ của tôi" not in response.get_data(as_text=True)


def test_the_admin_lists_accesses_by_dossier_and_user(dossier, signed_in, user):
    signed_in("tn.candang").get(f"/work/dossiers/{dossier.code}")
    signed_in("cv.candang").get(f"/work/dossiers/{dossier.code}")
    admin = signed_in("admin")
    html = admin.get(f"/admin/audit/accesses?code={dossier.code}").get_data(as_text=True)
    assert "2 lượt truy cập" in html
    assert user("tn.candang").full_name in html and user("cv.candang").full_name in html
    html = admin.get(f"/admin/audit/accesses?code={dossier.code}&user=tn.candang").get_data(as_text=True)
    assert "1 lượt truy cập" in html and user("cv.candang").full_name not in html


@pytest.mark.parametrize("page", ["/admin/audit/accesses", "/admin/audit/history"])
def test_only_administrators_open_the_audit_pages(page, signed_in):
    assert signed_in("tn.candang").get(page).status_code == 403
