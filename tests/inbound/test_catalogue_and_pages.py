"""The procedure catalogue for the national procedure database (export, comparison, the map of
localised codes) and the pages about filings: the provincial centre's held filings, the admin's."""

from __future__ import annotations

import io
import json

import pytest

from app.national import catalogue
from app.national.catalogue import MapError, parse_map
from app.procedures import get_registry
from tests.inbound.support import birth_filing, filing_of, import_now, receive
from tests.web import csrf_token, signed_in_client

COMMUNE = "000.21.30.H01"


def test_a_broken_map_is_refused_with_every_problem():
    known = {"1.001193"}
    data = {
        "procedures": {"A": "9.9", "B": {"code": "1.001193", "fields": ["x"]}, "C": {"title": "?"}},
        "units": {"000.00.30.H01": 5},
    }
    with pytest.raises(MapError) as caught:
        parse_map(data, known, "map.yaml")
    problems = caught.value.problems
    for where in ("procedures.A.code", "procedures.B.fields", "procedures.C", "units"):
        assert any(p.startswith(where) for p in problems), where
    assert parse_map({"procedures": {"X": "1.001193"}}, known).procedure("X").code == "1.001193"
    assert parse_map(None, known).procedure("1.001193").code == "1.001193"  # unlisted: itself


def test_the_export_lists_every_procedure_in_force_with_its_codes(app):
    rows = catalogue.catalogue_rows(catalogue_day())
    codes = {row["MaTTHC"]: row for row in rows}
    assert set(codes) == {p.code for p in get_registry().list_current(catalogue_day())}
    assert codes["1.001193"]["MaTTHCDiaPhuong"] == "1.001193.000.00.00.H91"  # from the map
    assert codes["2.000815"]["MaTTHCDiaPhuong"] == "2.000815"  # unlisted: the national code
    csv_text = catalogue.export_csv(catalogue_day())
    assert csv_text.startswith("\ufeffMaTTHC,MaTTHCDiaPhuong,TenTTHC")
    assert len(csv_text.strip().splitlines()) == len(rows) + 1


def catalogue_day():
    from app.inbound import _today

    return _today()


def test_the_comparison_names_what_is_missing_on_either_side(app):
    ours = catalogue.catalogue_rows(catalogue_day())
    national = [
        {"MaTTHC": ours[0]["MaTTHC"], "TenTTHC": ours[0]["TenTTHC"]},
        {"MaTTHC": ours[1]["MaTTHC"], "TenTTHC": "Một tên khác"},
        {"MaTTHC": "1.999999", "TenTTHC": "Thủ tục chưa có ở tỉnh"},
    ]
    content = json.dumps({"DanhSach": national}).encode()
    report = catalogue.compare(catalogue.read_national_list(content, "ds.json"), catalogue_day())
    assert report.matched == 2 and [r["MaTTHC"] for r in report.missing_here] == ["1.999999"]
    assert {r["MaTTHC"] for r in report.missing_there} == {r["MaTTHC"] for r in ours[2:]}
    assert [mine["MaTTHC"] for mine, _ in report.renamed] == [ours[1]["MaTTHC"]]
    with pytest.raises(catalogue.CatalogueFileError, match="Dòng 1"):
        catalogue.read_national_list(b"MaTTHC,TenTTHC\r\n,Thieu ma\r\n", "ds.csv")


def test_the_admin_exports_and_compares_the_catalogue(app):
    admin = signed_in_client(app, "admin")
    exported = admin.get("/admin/sync/national/catalogue.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    rows = exported.json["DanhSach"]
    lines = ["MaTTHC,TenTTHC", *(f"{r['MaTTHC']},{r['TenTTHC']}" for r in rows[1:]), "1.888888,Mới"]
    national = "\r\n".join(lines) + "\r\n"
    token = csrf_token(admin, "/admin/sync/national")
    page = admin.post(
        "/admin/sync/national/catalogue/compare",
        data={"csrf_token": token, "national_list": (io.BytesIO(national.encode()), "danh-muc.csv")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="catalogue-report"' in html
    assert "1.888888" in html and rows[0]["MaTTHC"] in html.split('id="missing-there"')[1]
    empty = admin.post("/admin/sync/national/catalogue/compare", data={"csrf_token": token})
    assert empty.status_code == 422


def test_the_provincial_centre_names_the_procedure_of_a_held_filing(inbound_app, portal, user):
    code = birth_filing(portal, COMMUNE, procedure="7.777777")
    filing = receive(portal, code).filing
    assert import_now(filing.id) == "held"

    centre = signed_in_client(inbound_app, "tn.tinh")
    page = centre.get("/work/national/held").get_data(as_text=True)
    assert code in page and "7.777777" in page
    commune = signed_in_client(inbound_app, "tn.candang")
    assert commune.get("/work/national/held").status_code == 403
    token = csrf_token(centre, "/work/national/held")
    url = f"/work/national/held/{filing.id}"
    wrong = centre.post(url, data={"csrf_token": token, "procedure": "0.0"})
    assert wrong.status_code == 302 and filing_of(code).state == "held"
    done = centre.post(url, data={"csrf_token": token, "procedure": "1.001193"})
    assert done.status_code == 302 and filing_of(code).state == "pending"
    assert import_now(filing.id) == "received"

    admin = signed_in_client(inbound_app, "admin")
    overview = admin.get("/admin/sync/national").get_data(as_text=True)
    assert f'data-code="{code}" data-state="received"' in overview
