"""A small known dataset for the indicators, driven through the real services and engine with a
hand-set clock (Asia/Ho_Chi_Minh). Tue 24 Nov 2026 is a public holiday; 28–29 Nov a weekend.
All dossiers are birth registrations (same day, 15:00 cut-off, no fee) at xã Cần Đăng.

    D1 online  accepted Mon 23 16:00 (after cut-off → due Wed 25 17:00, skipping the holiday);
               approved with a signed result; completed Wed 25 10:00 on time (240 working min =
               0.5 d); returned electronically;
               rated 5 / on_time / once / good.
    D2 online  accepted Fri 27 09:00 (due 17:00); returned for supplement Fri 10:00, supplemented
               Mon 30 09:00 (paused 420 min → due Mon 16:00); extended Mon 10:00 (Mẫu 04, new
               appointment Tue 17:00); completed Tue 1 Dec 10:00: late (1020 − 420 = 600 min = 1.25 d);
               returned at the counter; rated 2 / late / three_or_more / poor.
    D3 counter accepted Tue 1 Dec 08:00 (due 17:00): at "now" (Tue 15:00) near due (120 < 40% of 420).
    D4 online  with a reused document; accepted Wed 25 09:00 (due 17:00): in progress and overdue.
    D5 online  submitted, never accepted: not received.
    D6 online  accepted Tue 1 Dec 07:30, paused 08:00 (return for supplement): open, neither overdue
               nor near due.
    D7 online  accepted Thu 26 16:00 (due Fri 27 17:00); signed result file attached; completed Thu 16:30:
               early (30 min = 0.0625 d).
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.core.uow import unit_of_work
from app.procedures import get_registry
from app.ratings.services import rate_dossier
from app.workflow.documents import Files, Upload
from app.workflow.submission import StoredDocument, Submission, add_documents, submit_dossier
from tests.clock import Clock, vn  # noqa: F401
from tests.factories import act, form_data, submit, uploads_for
from tests.notifications.support import BIRTH
from tests.results.support import result_pdf

COMMUNE = "000.21.30.H01"
PERIOD = (date(2026, 11, 20), date(2026, 12, 6))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-11-23 06:00", "app.indicators.metrics")


def _to_appraising(dossier, user):
    act(dossier, "accept", user("tn.candang"))
    return act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})


def _approve(dossier, user, *, signed_result: bool = False):
    """Propose and approve; with `signed_result`, the leader's approval issues a signed result file
    (an original electronic result, app.results)."""
    act(dossier, "propose", user("cv.candang"))
    files = (
        Files(results=[Upload("result", "giay-khai-sinh.pdf", io.BytesIO(result_pdf()))])
        if signed_result
        else None
    )
    return act(dossier, "approve", user("ld.candang"), **({"files": files} if files else {}))


@pytest.fixture(scope="session")
def results_ca(tmp_path_factory):
    return tmp_path_factory.mktemp("indicators-results-ca")


def _with_reused(citizen, source):
    procedure = get_registry().current(BIRTH, date.today())
    doc = next(d for d in source.documents if not d.is_result)
    stored = StoredDocument(
        key=doc.doc_key,
        filename=doc.original_name,
        storage_key=doc.storage_key,
        sha256=doc.sha256,
        size=doc.size,
        content_type=doc.content_type,
        source="reused",
        reused_from_id=doc.id,
    )
    uploads = [u for u in uploads_for(procedure) if u.key != doc.doc_key]
    return submit_dossier(
        citizen,
        Submission(procedure.code, form_data(procedure), uploads=uploads, stored=[stored], unit_code=COMMUNE),
    )


@pytest.fixture
def dataset(clock, user, make_user, app, monkeypatch, results_ca):
    monkeypatch.setitem(app.config, "RESULT_TEST_CA_DIR", str(results_ca))  # results are signed
    citizen = make_user("citizen")
    rate = {"comment": ""}

    clock.at("2026-11-23 15:30")
    d1 = submit(citizen, BIRTH, COMMUNE)
    clock.at("2026-11-23 16:00")
    _to_appraising(d1, user)
    clock.at("2026-11-25 10:00")
    _approve(d1, user, signed_result=True)
    act(d1, "complete", user("tn.candang"))
    act(d1, "deliver", user("tn.candang"), {"return_method": "electronic"})
    rate_dossier(
        d1,
        citizen,
        {**rate, "overall": 5, "time_vs_statutory": "on_time", "contacts": "once", "conduct": "good"},
    )

    clock.at("2026-11-25 08:00")
    d4 = _with_reused(citizen, d1)
    clock.at("2026-11-25 09:00")
    act(d4, "accept", user("tn.candang"))

    clock.at("2026-11-26 15:50")
    d7 = submit(citizen, BIRTH, COMMUNE)
    clock.at("2026-11-26 16:00")
    _to_appraising(d7, user)
    _approve(d7, user)
    with unit_of_work():  # the signed result attached at the centre after the approval
        add_documents(
            d7, user("tn.candang"), Files(results=[Upload("result", "kq.pdf", io.BytesIO(result_pdf()))])
        )
    clock.at("2026-11-26 16:30")
    act(d7, "complete", user("tn.candang"))

    clock.at("2026-11-27 08:00")
    d2 = submit(citizen, BIRTH, COMMUNE)
    clock.at("2026-11-27 09:00")
    _to_appraising(d2, user)
    clock.at("2026-11-27 10:00")
    act(d2, "return_for_supplement", user("cv.candang"), {"items": ["Giấy chứng sinh"], "comment": "Mờ"})
    clock.at("2026-11-30 09:00")
    act(d2, "supplement", citizen)
    clock.at("2026-11-30 10:00")
    act(
        d2,
        "extend",
        user("ld.candang"),
        {"comment": "Chờ xác minh", "new_appointment_at": "2026-12-01T17:00:00+07:00"},
    )
    clock.at("2026-11-30 11:00")
    _approve(d2, user)
    clock.at("2026-12-01 10:00")
    act(d2, "complete", user("tn.candang"))
    act(d2, "deliver", user("tn.candang"), {"return_method": "counter"})
    rate_dossier(
        d2,
        citizen,
        {**rate, "overall": 2, "time_vs_statutory": "late", "contacts": "three_or_more", "conduct": "poor"},
    )

    clock.at("2026-11-30 14:00")
    d5 = submit(citizen, BIRTH, COMMUNE)

    clock.at("2026-12-01 07:00")
    procedure = get_registry().current(BIRTH, date.today())
    d3 = submit_dossier(
        user("tn.candang"),
        Submission(
            procedure.code,
            form_data(procedure),
            uploads=uploads_for(procedure),
            channel="counter",
            unit_code=COMMUNE,
            applicant={"name": "Trần Thị B"},
        ),
    )
    d6 = submit(citizen, BIRTH, COMMUNE)
    clock.at("2026-12-01 07:30")
    _to_appraising(d6, user)
    clock.at("2026-12-01 08:00")
    act(d3, "accept", user("tn.candang"))
    act(d6, "return_for_supplement", user("cv.candang"), {"items": ["Tờ khai"], "comment": "Thiếu chữ ký"})
    clock.at("2026-12-01 15:00")
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6, "d7": d7, "citizen": citizen}
