"""Page-test helpers: sign in through the real form, post forms with their CSRF token."""

from __future__ import annotations

import io
import re

from tests import web
from tests.factories import PDF, png_bytes

TOKEN_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
DRAFT_URL_RE = re.compile(r"/drafts/(\d+)$")
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200  # a Windows program's first bytes

MAKE_USER_PASSWORD = "password123"  # what the make_user fixture sets
BIRTH = "1.001193"
BIRTH_FIELDS = {
    "child_full_name": "Nguyễn Văn Bé",
    "child_birth_date": "2026-11-20",
    "child_gender": "nam",
    "child_birth_place": "Cần Đăng",
    "child_ethnicity": "Kinh",
    "mother_full_name": "Trần Thị Mẹ",
    "mother_cccd": "089190000321",
    "applicant_relationship": "me",
    "applicant_phone": "0912345678",
}
BIRTH_REQUIRED_DOCS = ("to_khai_khai_sinh", "giay_chung_sinh", "giay_to_tuy_than")


def csrf(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = TOKEN_RE.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client, login: str, password: str = MAKE_USER_PASSWORD) -> None:
    """Through the sign-in pages (staff with their second factor's code: tests.web.sign_in)."""
    response = web.sign_in(client, login, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def sign_out(client) -> None:
    assert client.post("/logout", data={"csrf_token": csrf(client, "/")}).status_code == 302


def start_draft(client, code: str = BIRTH) -> int:
    response = client.post(
        f"/procedures/{code}/apply", data={"csrf_token": csrf(client, f"/procedures/{code}")}
    )
    assert response.status_code == 302
    return int(DRAFT_URL_RE.search(response.headers["Location"]).group(1))


def pdf_file(name: str = "giay-to.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(PDF), name


def png_file(name: str = "anh.png") -> tuple[io.BytesIO, str]:
    return io.BytesIO(png_bytes()), name


def post_form(
    client, draft_id: int, url: str | None = None, *, fields=None, files=None, headers=None, **extra
):
    """Post the draft page's form as a browser would (all fields, the chosen files, the button)."""
    token = csrf(client, f"/drafts/{draft_id}")
    data = {"csrf_token": token, "form_present": "1", "unit_code": "000.21.30.H01", **(fields or {}), **extra}
    data.update(files or {})
    return client.post(
        url or f"/drafts/{draft_id}", data=data, content_type="multipart/form-data", headers=headers or {}
    )


def fill_birth_draft(client, draft_id: int) -> None:
    """Every field and every required document of a birth registration, saved as a draft."""
    files = {key: pdf_file(f"{key}.pdf") for key in BIRTH_REQUIRED_DOCS}
    response = post_form(client, draft_id, fields=BIRTH_FIELDS, files=files, action="save")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
