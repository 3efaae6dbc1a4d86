"""The officers' walk: one liên thông land dossier (first land-use right certificate, 1.012790) from counter
intake at the commune, through commune verification, district land-registry appraisal with a
supplement request (clock paused, then resumed), approval at the district People's Committee, and
return at the commune — each officer in their own browser, checking their queue and its flags at
every step, and that every form PDF opens and carries the dossier code."""

from __future__ import annotations

import io
import re
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from tests.factories import PDF, png_bytes
from tests.web import browser_sign_in

pytestmark = pytest.mark.usefixtures("rq_worker")
LAND = "1.012790"


def sign_in(page, login: str, password: str = "demo12345"):  # noqa: S107 (demo accounts)
    browser_sign_in(page, login, password)
    return page


def queue_row(page, kind: str, code: str):
    page.goto(f"/work/queues/{kind}")
    return page.locator("tr", has_text=code)


def act(page, code: str, name: str, **fields) -> None:
    """Use the action the workspace offers; an action that needs input opens its form first."""
    page.goto(f"/work/dossiers/{code}")
    details = page.locator(f'details[data-action="{name}"]')
    if details.count():
        details.locator("summary").click()
        form = details.locator("form")
        for field, value in fields.items():
            target = form.locator(f'[name="{field}"]')
            if field in ("assignee", "unit"):
                target.select_option(value)
            elif field == "return_method":
                form.locator(f'input[name=return_method][value="{value}"]').check()
            elif field == "result_file":
                target.set_input_files(value)
            else:
                target.fill(value)
        form.locator("button[type=submit]").click()
    else:
        assert not fields, f"{name} takes no input here"
        page.locator(f'form.ws-action[data-action="{name}"] button').click()
    page.wait_for_load_state()
    assert "đã tải lại trạng thái mới nhất" not in page.content()


def dossier_state(code: str) -> Dossier:
    db.session.rollback()
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def form_pdfs(page, code: str, timeout: float = 60) -> dict[str, bytes]:
    """Download every issued form listed on the workspace page, waiting while any is being made."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"/work/dossiers/{code}")
        if "Đang tạo" not in page.content() or time.monotonic() > deadline:
            break
        time.sleep(1)
    links = page.locator(f'a[href*="/dossiers/{code}/forms/"]')
    found = {}
    for index in range(links.count()):
        link = links.nth(index)
        href = link.get_attribute("href")
        with page.expect_download() as info:
            link.click()
        found[href] = open(info.value.path(), "rb").read()  # noqa: SIM115 (Playwright's temp file)
    return found


def test_lien_thong_land_dossier_from_counter_to_return(page_factory, screenshot, tmp_path):
    (tmp_path / "don.pdf").write_bytes(PDF)
    (tmp_path / "so-do.png").write_bytes(png_bytes())
    reception = sign_in(page_factory(), "tn.candang")

    # Counter intake at the commune, accepted at once: Mẫu 01.
    reception.goto(f"/work/intake/{LAND}")
    reception.locator("input[name=channel][value=counter]").check()
    for name, value in {
        "name": "Nguyễn Văn Công",
        "citizen_id": "089090000123",
        "phone": "0912345678",
        "address": "ấp An Hòa, xã Cần Đăng",
    }.items():
        reception.locator(f"form [name={name}]").first.fill(value)
    for name, value in {
        "land_address": "Thửa 120, tờ bản đồ 15, ấp An Hòa",
        "parcel_number": "120",
        "map_sheet": "15",
        "area_m2": "350.5",
        "land_origin": "Cha mẹ cho năm 1998",
        "used_since": "1998-05-01",
        "owner_full_name": "Nguyễn Văn Công",
        "owner_cccd": "089090000123",
        "owner_phone": "0912345678",
    }.items():
        reception.locator(f"[name={name}]").fill(value)
    reception.locator("[name=land_use_purpose]").first.evaluate(
        "el => el.tagName === 'SELECT' ? (el.selectedIndex = 1) : el.click()"
    )
    register_assets = reception.locator("input[name=register_assets]")
    if register_assets.count() > 1:
        register_assets.first.check()
    for index in range(reception.locator("input[type=file]").count()):
        reception.locator("input[type=file]").nth(index).set_input_files(str(tmp_path / "don.pdf"))
    screenshot(reception, "lien-thong-01-intake")
    reception.get_by_role("button", name="Ghi nhận hồ sơ").click()
    reception.wait_for_url(re.compile(r"/work/dossiers/"))
    code = reception.url.rsplit("/", 1)[-1].split("?")[0]
    dossier = dossier_state(code)
    assert dossier.channel == "counter" and dossier.national_status == 2
    assert {d.source for d in dossier.documents} == {"counter_scan"} and all(
        d.is_digitised for d in dossier.documents
    )

    # Commune: the leader assigns, the specialist verifies and hands over to the district land registry.
    leader = sign_in(page_factory(), "ld.candang")
    assert queue_row(leader, "leader", code).count() == 1
    act(leader, code, "assign", assignee="cv.candang")
    specialist = sign_in(page_factory(), "cv.candang")
    assert queue_row(specialist, "specialist", code).count() == 1
    act(specialist, code, "forward")
    assert queue_row(specialist, "specialist", code).count() == 0  # no longer held by the commune

    # District land registry: in its queue; asks the citizen for a document — the clock pauses.
    registry = sign_in(page_factory(), "cv.vpdk")
    assert queue_row(registry, "specialist", code).count() == 1
    act(
        registry,
        code,
        "return_for_supplement",
        items="Bản sao sổ hộ khẩu\nTrích đo thửa đất",
        comment="Thiếu giấy tờ chứng minh nguồn gốc",
    )
    row = queue_row(registry, "specialist", code)
    screenshot(registry, "lien-thong-02-registry-queue-paused")
    assert "Tạm dừng" in row.inner_text()
    assert dossier_state(code).is_paused

    # The citizen supplies it from their own page; the clock resumes.
    citizen = sign_in(page_factory(width=360, height=740), "congdan")
    citizen.goto(f"/my/dossiers/{code}")
    assert "Trích đo thửa đất" in citizen.content()
    citizen.locator("#bo-sung input[type=file]").first.set_input_files(str(tmp_path / "so-do.png"))
    citizen.get_by_role("button", name="Nộp bổ sung").click()
    citizen.wait_for_load_state()
    dossier = dossier_state(code)
    assert not dossier.is_paused and dossier.paused_minutes >= 0
    assert "Tạm dừng" not in queue_row(registry, "specialist", code).inner_text()

    # Registry hands over to the district People's Committee, whose leader signs the certificate: a
    # paper original (the procedure's `result`), so the approval takes no file.
    act(registry, code, "forward")
    district = sign_in(page_factory(), "ld.chauthanh")
    assert queue_row(district, "leader", code).count() == 1
    act(district, code, "approve")
    assert queue_row(district, "leader", code).count() == 0

    # Back at the commune one-stop: result ready, then returned at the counter.
    assert queue_row(reception, "reception", code).count() == 1
    act(reception, code, "complete")
    act(reception, code, "deliver", return_method="counter")
    dossier = dossier_state(code)
    assert dossier.national_status == 10 and dossier.return_method == "counter"
    assert [s.unit.code for s in dossier.steps] == [
        "000.21.30.H01",
        "000.04.30.H01",
        "000.00.30.H01",
        "000.21.30.H01",
    ]
    assert all(s.outcome in {"early", "on_time", "late"} for s in dossier.steps)
    assert dossier.outcome in {"early", "on_time"}

    # Every form issued on the way opens and carries the code (Mẫu 01, 02 and the Mẫu 05 control sheet).
    reception.goto(f"/work/dossiers/{code}")
    issue_05 = reception.locator("form[action$='/forms/mau-05'] button")
    if issue_05.count():
        issue_05.first.click()
        reception.wait_for_load_state()
    screenshot(reception, "lien-thong-03-workspace-returned")
    pdfs = form_pdfs(reception, code)
    assert len(pdfs) >= 3
    for href, content in pdfs.items():
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert content.startswith(b"%PDF") and code in text, href
