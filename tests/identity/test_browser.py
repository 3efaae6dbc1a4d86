"""In Debian's Chromium, through the real provider on loopback: a citizen signs in with VNeID and
files a judicial-record request whose identity fields come prefilled and locked (and whose ID card
is not asked for); an organisation signs in with its e-ID and authorises an employee, who files a
certified copy on its behalf; the officer's workspace names both."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.factories import PDF
from tests.identity.conftest import CLIENT_ID, CLIENT_SECRET, TEST_CALLBACK
from tests.web import totp_code

DINH, HOA, COMPANY = "089085000111", "089190000222", "1601234567"
COMPANY_NAME = "Công ty TNHH Nông sản Châu Thành"
JUDICIAL, CERTIFIED_COPY = "2.000488", "2.000815"


def vneid_sign_in(page, login: str, *, organisation: bool = False) -> None:
    page.goto("/login")
    name = (
        "Tổ chức: đăng nhập bằng tài khoản định danh điện tử tổ chức"
        if organisation
        else "Đăng nhập bằng VNeID"
    )
    page.get_by_role("link", name=name).click()
    assert "Bản mô phỏng VNeID" in page.content()  # the development stand-in says what it is
    page.locator("#login").fill(login)
    page.locator("#password").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url and "/authorize" not in url)


def fill(page, values: dict) -> None:
    for name, value in values.items():
        page.locator(f"[name={name}]").fill(value)


def submit_draft(page, uploads: dict, tmp_path) -> str:
    for key, filename in uploads.items():
        (tmp_path / filename).write_bytes(PDF)
        page.set_input_files(f"input[type=file][name={key}]", str(tmp_path / filename))
        page.locator(f"#doc-{key} .doc__status").filter(has_text=filename).wait_for(timeout=20000)
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(re.compile(r"/review"))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/my/dossiers/"))
    return page.url.rsplit("/", 1)[-1].split("?")[0].split("#")[0]


def test_vneid_citizen_files_prefilled_and_a_representative_files_for_an_organisation(
    page_factory, live_server, oidc_provider, screenshot, tmp_path
):
    oidc_provider.register_client(
        CLIENT_ID, CLIENT_SECRET, [TEST_CALLBACK, live_server + "/login/vneid/callback"]
    )

    # 1. A citizen on a phone signs in with VNeID; the judicial-record form knows who they are.
    citizen = page_factory(width=360, height=780)
    vneid_sign_in(citizen, DINH)
    citizen.goto(f"/procedures/{JUDICIAL}")
    citizen.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    citizen.wait_for_url(re.compile(r"/drafts/\d+"))
    for name, value in (("full_name", "Trần Văn Định"), ("cccd", DINH), ("birth_date", "1985-03-12")):
        field = citizen.locator(f"input[name={name}]")
        assert field.input_value() == value and field.get_attribute("readonly") is not None
    assert citizen.locator("input[name=phone]").input_value() == "0912000111"
    assert "Không cần nộp" in citizen.locator("#doc-giay_to_tuy_than").inner_text()
    assert citizen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    screenshot(citizen, "vneid-01-prefilled-phone")
    fill(
        citizen,
        {"permanent_address": "ấp Hòa Long, An Châu, Châu Thành", "purpose": "Xin việc", "copies": "1"},
    )
    citizen.locator("input[name=gender][value=nam]").check()
    citizen.locator("input[name=certificate_type][value=phieu_so_1]").check()
    submit_draft(citizen, {"to_khai": "to-khai.pdf"}, tmp_path)  # no ID card: the identity replaces it

    # 2. An employee signs in once; the organisation signs in with its e-ID and authorises her.
    employee = page_factory()
    vneid_sign_in(employee, HOA)
    company = page_factory()
    vneid_sign_in(company, COMPANY, organisation=True)
    company.goto("/my/representatives")
    fill(
        company,
        {
            "representative_personal_id": HOA,
            "representative_name": "Lê Thị Hoa",
            "expires_on": (date.today() + timedelta(days=90)).isoformat(),
        },
    )
    (tmp_path / "uy-quyen.pdf").write_bytes(PDF)
    company.set_input_files("input[name=document]", str(tmp_path / "uy-quyen.pdf"))
    company.get_by_role("button", name="Lập giấy ủy quyền").click()
    company.wait_for_load_state()
    assert "Lê Thị Hoa" in company.locator("#granted-title + table").inner_text()

    # 3. She files a certified copy for the company: the applicant is the company, locked.
    employee.goto(f"/procedures/{CERTIFIED_COPY}")
    principal = employee.locator("select[name=principal] option", has_text=COMPANY_NAME).get_attribute(
        "value"
    )
    employee.get_by_label("Nộp cho").select_option(principal)
    employee.get_by_role("button", name="Nộp hồ sơ thay").click()
    employee.wait_for_url(re.compile(r"/drafts/\d+"))
    assert COMPANY_NAME in employee.locator("main").inner_text()
    applicant = employee.locator("input[name=applicant_full_name]")
    assert applicant.input_value() == COMPANY_NAME and applicant.get_attribute("readonly") is not None
    fill(
        employee,
        {"document_title": "Giấy chứng nhận đăng ký doanh nghiệp", "issuing_authority": "Sở Tài chính"},
    )
    fill(employee, {"page_count": "2", "copies": "3", "applicant_cccd": HOA})
    if employee.locator("select[name=unit_code]").count():
        employee.locator("select[name=unit_code]").select_option("000.21.30.H01")
    code = submit_draft(employee, {"ban_chinh": "ban-chinh.pdf"}, tmp_path)

    # 4. The commune's reception officer sees the company as applicant and who filed for it.
    officer = page_factory()
    officer.goto("/login")
    officer.get_by_label("Số CCCD hoặc tên đăng nhập").fill("tn.candang")
    officer.get_by_label("Mật khẩu").fill("demo12345")
    officer.get_by_role("button", name="Đăng nhập", exact=True).click()
    officer.wait_for_url(re.compile(r"/login/second-factor"))
    officer.get_by_label("Mã xác thực").fill(totp_code("tn.candang"))
    officer.get_by_role("button", name="Xác nhận").click()
    officer.wait_for_url(lambda url: "/login" not in url)
    officer.goto(f"/work/dossiers/{code}")
    page = officer.locator("main").inner_text()
    assert COMPANY_NAME in page and "Người nộp thay" in page
    assert f"Lê Thị Hoa thay mặt {COMPANY_NAME}" in " ".join(page.split())
    screenshot(officer, "vneid-02-workspace-both-names")
