"""The tracking book (Mẫu 07 of the 2025 set; Mẫu 06 of the 2018 set): the dossiers a unit received in
a period, on A4 landscape, rendered by a job that reports its progress; made from a staff page; only
for units the user may use."""

from __future__ import annotations

import io
import time
import urllib.request
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.errors import PermissionDeniedError
from app.core.uow import unit_of_work
from app.extensions import db
from app.official_forms import tracking
from app.official_forms.models import TrackingBook
from app.official_forms.tracking import (
    Totals,
    iter_rows,
    local_day_start,
    render_tracking_book,
    request_tracking_book,
)
from app.org.queries import get_unit_by_code
from tests.factories import act, submit
from tests.official_forms.conftest import BIRTH
from tests.official_forms.support import NATIONAL_HEADER, page_sizes, pdf_text
from tests.web import csrf_token, sign_in

A4_LANDSCAPE = (841.89, 595.28)
COMMUNE = "000.21.30.H01"
HOUSEHOLD_BUSINESS = "2.000720"  # received by the district one-stop section


def _unit_id(code: str = COMMUNE) -> int:
    return get_unit_by_code(code).id


def _book_pdf(book: TrackingBook) -> bytes:
    from app.storage import get_storage

    db.session.refresh(book)
    assert book.status == "ready" and book.storage_key, (book.status, book.error)
    return b"".join(get_storage().open(book.storage_key))


@pytest.fixture
def received(clock, citizen, user):
    """Birth registrations accepted by the commune just before, inside and just after 7-8 Dec 2026
    (local time), one only submitted, and one received by another unit inside the period."""
    accepted = {}
    for name, at in (
        ("before", "2026-12-06 23:59"),
        ("first", "2026-12-07 00:00"),
        ("second", "2026-12-08 16:30"),
        ("last", "2026-12-08 23:59"),
        ("after", "2026-12-09 00:00"),
    ):
        clock.at(at)
        accepted[name] = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    accepted["not_received"] = submit(citizen, BIRTH)
    clock.at("2026-12-08 09:00")
    other = submit(citizen, HOUSEHOLD_BUSINESS, unit_code="000.01.30.H01")
    accepted["other_unit"] = act(other, "accept", user("tn.chauthanh"))
    return accepted


@pytest.mark.usefixtures("in_process_jobs")
def test_book_lists_exactly_the_dossiers_received_in_the_period(received, user, monkeypatch):
    progress: list[int] = []
    real = tracking._set_progress
    monkeypatch.setattr(tracking, "CHUNK_ROWS", 2)  # three rows: two chunks
    monkeypatch.setattr(tracking, "_set_progress", lambda b, p, **v: (progress.append(p), real(b, p, **v)))
    with unit_of_work():
        book = request_tracking_book(user("tn.candang"), _unit_id(), date(2026, 12, 7), date(2026, 12, 8))

    pdf = _book_pdf(book)
    assert book.row_count == 3 and book.progress == 100 and book.ready_at is not None
    assert progress == sorted(progress) and progress[0] == 5 and progress[-1] == 90
    assert 5 < progress[1] < 50 and {50, 80} <= set(progress)  # after the first chunk, then later stages
    assert all(width == pytest.approx(A4_LANDSCAPE[0], abs=0.5) for width, _ in page_sizes(pdf))
    assert all(height == pytest.approx(A4_LANDSCAPE[1], abs=0.5) for _, height in page_sizes(pdf))
    text = pdf_text(pdf)
    for line in (
        *NATIONAL_HEADER,
        "SỔ THEO DÕI HỒ SƠ",
        "UBND XÃ CẦN ĐĂNG",
        "Từ ngày 07/12/2026 đến ngày 08/12/2026",
    ):
        assert line in text
    for name in ("first", "second", "last"):
        assert received[name].code in text
    for name in ("before", "after", "not_received", "other_unit"):
        assert received[name].code not in text
    assert (
        text.index(received["first"].code)
        < text.index(received["second"].code)
        < text.index(received["last"].code)
    )
    assert "Tổng cộng: 3 hồ sơ tiếp nhận trong kỳ." in text and "– Đang giải quyết: 3 (đã quá hạn:" in text
    assert text.count("UBND xã Cần Đăng") >= 3  # the competent unit of each row: the commune itself
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Mẫu số 07 - Sổ theo dõi hồ sơ")
    assert book.filename().startswith("Mau07-SoTheoDoi-")


def test_a_lien_thong_row_names_the_competent_unit_and_the_hand_offs(land_at_district, clock):
    start, end = local_day_start(date(2026, 12, 1)), local_day_start(date(2027, 1, 1))
    totals = Totals()
    [row] = list(iter_rows(_unit_id(), start, end, totals, clock.at("2027-01-12 09:00").now))
    assert row["code"] == land_at_district.code
    assert row["competent_unit"] == "UBND huyện Châu Thành"
    assert (row["received_at"], row["sent_at"]) == ("07:00 07/12/2026", "10:00 09/12/2026")
    assert row["back_at"] == "" and row["returned_at"] == ""
    assert row["notes"] == ["UBND huyện xem xét ký Giấy chứng nhận"]
    assert (totals.received, totals.in_progress, totals.overdue, totals.completed) == (1, 1, 0, 0)


@pytest.mark.usefixtures("in_process_jobs")
def test_a_failed_render_is_recorded_reraised_and_retried(received, user, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tracking, "write_pdf_file", broken)
    with unit_of_work():
        book = request_tracking_book(user("tn.candang"), _unit_id(), date(2026, 12, 7), date(2026, 12, 8))
    db.session.refresh(book)
    assert book.status == "failed" and "disk full" in book.error and book.storage_key is None
    with pytest.raises(OSError):
        render_tracking_book(book.id)
    monkeypatch.undo()
    render_tracking_book(book.id)
    assert received["first"].code in pdf_text(_book_pdf(book))


def test_the_real_worker_renders_a_book(rq_worker, received, user):
    with unit_of_work():
        book = request_tracking_book(user("tn.candang"), _unit_id(), date(2026, 12, 7), date(2026, 12, 8))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.rollback()
        book = db.session.get(TrackingBook, book.id)
        if book.is_finished:
            break
        time.sleep(0.2)
    assert book.status == "ready" and book.progress == 100 and book.row_count == 3, (book.status, book.error)
    assert received["second"].code in pdf_text(_book_pdf(book))


@pytest.mark.usefixtures("in_process_jobs")
def test_who_may_make_a_book(user, make_user):
    request_tracking_book(user("giamsat.chauthanh"), _unit_id(), date(2026, 12, 1), date(2026, 12, 31))
    for login, unit in (
        ("cv.vpdk", COMMUNE),
        ("giamsat.chauthanh", "000.00.02.H01"),
        ("tn.candang", "000.01.30.H01"),
    ):
        with pytest.raises(PermissionDeniedError):
            request_tracking_book(user(login), _unit_id(unit), date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(PermissionDeniedError):
        request_tracking_book(make_user("citizen"), _unit_id(), date(2026, 12, 1), date(2026, 12, 31))


# --- pages --------------------------------------------------------------------------------------

PAGE = "/work/reports/tracking-book"


def _post_book(client, unit_id: int, start: str = "2026-12-07", end: str = "2026-12-08"):
    token = csrf_token(client, PAGE)
    return client.post(PAGE, data={"csrf_token": token, "unit": unit_id, "date_from": start, "date_to": end})


@pytest.mark.usefixtures("in_process_jobs")
def test_staff_make_a_book_on_the_page_and_download_it(client, received):
    sign_in(client, "tn.candang")
    page = client.get(PAGE)
    assert page.status_code == 200 and "UBND xã Cần Đăng (000.21.30.H01)" in page.get_data(as_text=True)
    assert "<h1>Sổ theo dõi hồ sơ (Mẫu 07)</h1>" in page.get_data(as_text=True)
    response = _post_book(client, _unit_id())
    assert response.status_code == 302
    book_url = response.headers["Location"]
    status = client.get(f"{book_url}/status").json
    assert status["status"] == "ready" and status["progress"] == 100 and status["row_count"] == 3
    html = client.get(book_url).get_data(as_text=True)
    assert status["download_url"] in html and "<progress" not in html
    download = client.get(status["download_url"])
    assert download.status_code == 302
    with urllib.request.urlopen(download.headers["Location"], timeout=10) as answer:  # noqa: S310 (test S3)
        assert received["first"].code in pdf_text(answer.read())
    listed = client.get(PAGE).get_data(as_text=True)
    assert f'href="{book_url}"' in listed and "07/12/2026 –" in listed and "08/12/2026" in listed


def test_a_book_in_progress_shows_a_progress_bar_that_refreshes_without_script(client, user):
    book = TrackingBook(unit_id=_unit_id(), date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    book.status, book.progress, book.requested_by_id = "rendering", 37, user("tn.candang").id
    db.session.add(book)
    db.session.commit()
    sign_in(client, "ld.candang")
    html = client.get(f"{PAGE}/{book.id}").get_data(as_text=True)
    assert '<progress id="book-progress" max="100" value="37">' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert client.get(f"{PAGE}/{book.id}/status").json == {
        "status": "rendering",
        "progress": 37,
        "row_count": None,
        "download_url": None,
    }
    assert client.get(f"{PAGE}/{book.id}/download").status_code == 302  # back to the progress page


def test_pages_refuse_other_units_and_citizens(client, user, citizen):
    book = TrackingBook(unit_id=_unit_id(), date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    db.session.add(book)
    db.session.commit()
    sign_in(client, "cv.vpdk")
    assert _post_book(client, _unit_id()).status_code == 403
    for suffix in ("", "/status", "/download"):
        assert client.get(f"{PAGE}/{book.id}{suffix}").status_code == 404
    assert db.session.scalar(select(TrackingBook.id).where(TrackingBook.id != book.id)) is None
    client.post("/logout", data={"csrf_token": csrf_token(client, PAGE)})
    sign_in(client, citizen.username, "password123")
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/{book.id}/status").status_code == 403


def test_a_period_too_long_or_reversed_is_shown_beside_the_field(client):
    sign_in(client, "tn.candang")
    for start, end in (("2025-01-01", "2026-06-30"), ("2026-12-08", "2026-12-07")):
        response = _post_book(client, _unit_id(), start, end)
        assert response.status_code == 422 and 'class="error" id="date_to-error"' in response.get_data(
            as_text=True
        )
    assert db.session.scalar(select(TrackingBook.id)) is None
