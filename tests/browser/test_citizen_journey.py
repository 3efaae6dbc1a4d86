"""The citizen's walk: a citizen signs up, finds a procedure without typing diacritics, submits online
with two attachments, downloads Mẫu 01, supplies a requested document, downloads the result and rates
the service — in Debian's Chromium, with staff acting through the API, and a real rq worker rendering
the forms. Screenshots of each step are kept in test-artifacts/."""

from __future__ import annotations

import io
import re
import time

import pytest
from pypdf import PdfReader

from app.extensions import db
from tests.auth.support import finish_sign_up
from tests.factories import PDF, pdf_bytes, png_bytes
from tests.notifications.support import Mailbox

pytestmark = pytest.mark.usefixtures("rq_worker")
RESULT_PDF = pdf_bytes("Phieu ly lich tu phap so 1")


class Staff:
    """Officers acting through the JSON API, as their own tools would."""

    def __init__(self, client, user, auth_headers):
        self.client, self.user, self.auth_headers, self.headers = client, user, auth_headers, {}

    def _headers(self, username: str) -> dict:
        if username not in self.headers:
            self.headers[username] = self.auth_headers(self.user(username))
        return self.headers[username]

    def act(self, username: str, code: str, name: str, **payload) -> dict:
        response = self.client.post(
            f"/api/v1/dossiers/{code}/transitions",
            headers=self._headers(username),
            json={"name": name, **payload},
        )
        assert response.status_code == 200, (name, response.json)
        return response.json

    def attach_result(self, username: str, code: str) -> None:
        response = self.client.post(
            f"/api/v1/dossiers/{code}/documents",
            headers=self._headers(username),
            data={"result": (io.BytesIO(RESULT_PDF), "ket-qua.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.json


@pytest.fixture
def staff(client, user, auth_headers):
    return Staff(client, user, auth_headers)


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return open(info.value.path(), "rb").read()  # noqa: SIM115 (a temp file Playwright owns)


def _wait_for_link(page, name: str, timeout: float = 45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        link = page.get_by_role("link", name=name)
        if link.count():
            return link.first
        time.sleep(1)
        page.reload()
    raise AssertionError(f"no link {name!r} after {timeout}s")


def test_citizen_journey_from_sign_up_to_rating(page_factory, screenshot, staff, tmp_path, smtp_server):
    page = page_factory()
    # 1. Sign up.
    page.goto("/register")
    page.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("089095000321")
    page.get_by_label("Họ và tên").fill("Lê Văn Tư")
    page.get_by_label("Số điện thoại").fill("0909123456")
    page.get_by_label("Thư điện tử").fill("le.van.tu@example.vn")
    page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng ký").click()
    finish_sign_up(page, Mailbox(smtp_server), "le.van.tu@example.vn")  # the link comes by e-mail

    # 2. Search without diacritics.
    search = page.locator("input[name=q]").first
    search.fill("ly lich tu phap")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=ly"))
    screenshot(page, "journey-01-search")
    page.get_by_role("link", name=re.compile("Cấp Phiếu lý lịch tư pháp")).first.click()
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(re.compile(r"/drafts/\d+"))

    # 3. Fill the application and attach two documents.
    for name, value in {
        "full_name": "Lê Văn Tư",
        "birth_date": "1995-04-12",
        "cccd": "089095000321",
        "permanent_address": "ấp Hòa Long, An Châu, Châu Thành, An Giang",
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": "1",
        "phone": "0909123456",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("input[name=gender][value=nam]").check()
    page.locator("input[name=certificate_type][value=phieu_so_1]").check()
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "cccd.png").write_bytes(png_bytes())
    for key, path in (("to_khai", "to-khai.pdf"), ("giay_to_tuy_than", "cccd.png")):
        page.set_input_files(f"input[type=file][name={key}]", str(tmp_path / path))
        page.locator(f"#doc-{key} .doc__status").filter(has_text=path).wait_for(timeout=20000)
    screenshot(page, "journey-02-form")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(re.compile(r"/review"))
    screenshot(page, "journey-03-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/my/dossiers/"))
    code = page.url.rsplit("/", 1)[-1].split("?")[0].split("#")[0]
    assert re.fullmatch(r"000\.00\.01\.H01-\d{6}-\d{4}", code)

    # 4. The one-stop centre accepts (API); the citizen downloads Mẫu 01, a PDF with the code.
    staff.act("tn.tinh", code, "accept")
    page.reload()
    form_01 = _download(page, _wait_for_link(page, "Tải PDF"))
    assert form_01.startswith(b"%PDF")
    assert code in "".join(p.extract_text() for p in PdfReader(io.BytesIO(form_01)).pages)
    screenshot(page, "journey-04-accepted")

    # 5. The provincial Police ask for a document during appraisal; the citizen supplies it on the page.
    staff.act("tn.tinh", code, "forward")
    staff.act("ld.congan", code, "assign", assignee="cv.congan")
    staff.act("cv.congan", code, "return_for_supplement", items=["Tờ khai có chữ ký"], comment="Thiếu chữ ký")
    page.reload()
    assert "Tờ khai có chữ ký" in page.content()
    screenshot(page, "journey-05-supplement-requested")
    page.locator("#bo-sung input[type=file]").first.set_input_files(str(tmp_path / "to-khai.pdf"))
    page.get_by_role("button", name="Nộp bổ sung").click()
    page.wait_for_load_state()
    detail = staff.client.get(f"/api/v1/dossiers/{code}", headers=staff._headers("cv.congan")).json
    assert detail["state"] == "appraising" and not detail["is_paused"]

    # 6. Approval, result issued electronically, returned; the citizen downloads it and rates.
    staff.act("cv.congan", code, "propose")
    staff.act("ld.congan", code, "approve")
    staff.attach_result("tn.tinh", code)
    staff.act("tn.tinh", code, "complete")
    staff.act("tn.tinh", code, "deliver", return_method="electronic")
    page.reload()
    assert _download(page, page.get_by_role("link", name="Tải kết quả").first) == RESULT_PDF
    page.locator("input[name=overall][value='5']").check()
    page.locator("input[name=time_vs_statutory][value=on_time]").check()
    page.locator("input[name=contacts][value=once]").check()
    page.locator("input[name=conduct][value=good]").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Bạn đã đánh giá" in page.content()
    screenshot(page, "journey-06-rated")
    db.session.rollback()


def test_submission_page_on_a_360px_phone(page_factory, screenshot):
    page = page_factory(width=360, height=740)
    page.goto("/login")
    page.get_by_label("Số CCCD hoặc tên đăng nhập").fill("congdan")
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/procedures/1.001193")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(re.compile(r"/drafts/\d+"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "submission-360")
    page.get_by_role("button", name="Tiếp tục").click()  # nothing filled: messages beside fields
    page.locator(".error").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "submission-360-errors")
