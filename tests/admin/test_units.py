"""The unit tree by an administrator: indented list, create under a parent (QCVN 102:2016 code,
level order from ORG_LEVELS, known or new kind), edit, deactivate."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import Unit
from tests.web import csrf_token, sign_in

NEW = "/admin/units/new"


def _errors(page: str) -> dict[str, str]:
    found = re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]+)</p>', page)
    return {name: htmllib.unescape(text) for name, text in found}


def _unit(code: str) -> Unit | None:
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


@pytest.fixture
def admin_client(client):
    assert sign_in(client, "admin").status_code == 302
    return client


def _create(client, **fields):
    data = {
        "parent": "000.00.30.H01",
        "code": "000.05.30.H01",
        "level": "district",
        "name": "Phòng Tư pháp huyện Châu Thành",
        "kind": "justice",
        "address": "",
        "phone": "",
        **fields,
        "csrf_token": csrf_token(client, NEW),
    }
    return client.post(NEW, data=data)


def test_tree_lists_units_indented_under_their_parents(admin_client):
    page = admin_client.get("/admin/units").get_data(as_text=True)
    province, district, commune = (
        page.index("UBND tỉnh An Giang"),
        page.index("UBND huyện Châu Thành"),
        page.index("UBND xã Cần Đăng"),
    )
    assert province < district < commune
    assert "--depth: 2" in page  # a commune sits two levels deep


def test_create_unit_under_a_parent(admin_client):
    response = _create(admin_client, kind="tu_phap_huyen")  # a new kind, typed by the admin
    assert response.status_code == 302
    unit = _unit("000.05.30.H01")
    assert (unit.parent.code, unit.level, unit.kind) == ("000.00.30.H01", "district", "tu_phap_huyen")
    assert "000.05.30.H01" in admin_client.get("/admin/units").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "0.5.30.H01"}, "code", "không đúng cấu trúc V1V2V3.Z1Z2.Y1Y2.MX1X2"),
        ({"code": "000.05.30.h01"}, "code", "không đúng cấu trúc"),
        ({"code": "000.21.30.H01"}, "code", "đã tồn tại"),
        ({"level": "province"}, "level", "cao hơn cấp của đơn vị cha"),
        ({"level": "hamlet"}, "level", "không thuộc danh sách cấp hành chính"),
        ({"parent": "", "level": "district"}, "parent", "Đơn vị gốc phải thuộc cấp 'province'"),
        ({"kind": "Phòng Tư pháp"}, "kind", "chữ thường không dấu"),
    ],
)
def test_bad_unit_shows_the_message_next_to_its_field(admin_client, fields, field, message):
    response = _create(admin_client, **fields)
    assert response.status_code == 400
    assert message in _errors(response.get_data(as_text=True)).get(field, "")
    assert _unit(fields.get("code", "000.05.30.H01")) is None or fields.get("code") == "000.21.30.H01"


def test_edit_and_deactivate_a_unit(admin_client):
    _create(admin_client)
    unit = _unit("000.05.30.H01")
    url = f"/admin/units/{unit.id}"
    data = {"name": "Phòng Tư pháp", "kind": "justice", "address": "ấp An Hòa", "phone": "02963111222"}
    assert (
        admin_client.post(url, data={**data, "csrf_token": csrf_token(admin_client, url)}).status_code == 302
    )
    assert (_unit("000.05.30.H01").name, _unit("000.05.30.H01").address) == ("Phòng Tư pháp", "ấp An Hòa")

    admin_client.post(f"{url}/active", data={"active": "0", "csrf_token": csrf_token(admin_client, url)})
    assert not _unit("000.05.30.H01").is_active
    new_user_page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="000.05.30.H01"' not in new_user_page  # no longer offered for new accounts


def test_a_unit_with_active_units_below_cannot_be_deactivated(admin_client):
    district = _unit("000.00.30.H01")
    url = f"/admin/units/{district.id}"
    response = admin_client.post(
        f"{url}/active",
        data={"active": "0", "csrf_token": csrf_token(admin_client, url)},
        follow_redirects=True,
    )
    assert "còn đơn vị trực thuộc đang hoạt động" in response.get_data(as_text=True)
    assert _unit("000.00.30.H01").is_active


def test_a_unit_created_in_the_two_tier_period_cannot_be_a_district(admin_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ORG_PERIODS", "province,district,commune;2025-07-01:province,commune")
    page = _create(admin_client, valid_from="2025-07-01").get_data(as_text=True)
    assert "Cấp &#39;district&#39; không thuộc danh sách cấp hành chính ngày 01/07/2025" in page
    assert _unit("000.05.30.H01") is None
    assert _create(admin_client, valid_from="2025-01-01", valid_to="2025-06-30").status_code == 302
    created = _unit("000.05.30.H01")
    assert (created.valid_from.isoformat(), created.valid_to.isoformat()) == ("2025-01-01", "2025-06-30")


def test_a_merger_ends_the_old_unit_and_names_its_successor(admin_client):
    from app.org.queries import predecessors, successors

    assert _create(admin_client, code="000.06.30.H01", name="Phòng cũ").status_code == 302
    assert (
        _create(admin_client, code="000.07.30.H01", name="Phòng mới", valid_from="2025-07-01").status_code
        == 302
    )
    old, new = _unit("000.06.30.H01"), _unit("000.07.30.H01")
    url = f"/admin/units/{old.id}/successors"
    data = {
        "successor": new.code,
        "effective_on": "2025-07-01",
        "csrf_token": csrf_token(admin_client, f"/admin/units/{old.id}"),
    }
    assert admin_client.post(url, data=data).status_code == 302
    old, new = _unit("000.06.30.H01"), _unit("000.07.30.H01")
    assert old.valid_to.isoformat() == "2025-06-30" and old.name == "Phòng cũ"
    assert successors(old) == [new] and predecessors(new) == [old]
    page = admin_client.get(f"/admin/units/{new.id}").get_data(as_text=True)
    assert "Kế thừa từ:" in page and "Phòng cũ" in page
    bad = {
        **data,
        "effective_on": "2024-01-01",
        "csrf_token": csrf_token(admin_client, f"/admin/units/{old.id}"),
    }
    assert admin_client.post(url, data=bad).status_code == 400  # the successor did not exist yet
