"""The monthly report PDF: rendered by its job, stored in the object store, downloadable by the
unit's staff, and saying the unit, the month and the unit's own figures."""

from __future__ import annotations

import subprocess
import urllib.request

from app.extensions import db
from app.indicators.metrics import compute_indicators
from app.org.queries import get_unit_by_code
from app.reports.charts import percent
from app.reports.jobs import render_monthly_report
from app.reports.services import request_report
from app.storage import get_storage
from tests.reports.conftest import COMMUNE, OCTOBER
from tests.web import sign_in


def _text(pdf: bytes) -> str:
    """pdftotext (poppler) of the whole document, white space runs made single spaces."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_report_is_stored_downloadable_and_names_unit_month_and_figures(october, queued, user, client):
    unit = get_unit_by_code(COMMUNE)
    report, is_queued = request_report(user("ld.candang"), unit.id, OCTOBER)
    assert is_queued and queued == [(report.id, f"monthly-report-{report.id}")]

    render_monthly_report(report.id)

    db.session.refresh(report)
    assert report.status == "ready", report.error
    stored = b"".join(get_storage().open(report.storage_key))
    assert stored.startswith(b"%PDF") and report.size == len(stored)
    sign_in(client, "ld.candang")
    response = client.get(f"/reports/{report.id}/download")
    assert response.status_code == 302  # to a short-lived presigned URL of the object store
    with urllib.request.urlopen(response.headers["Location"], timeout=10) as answer:  # noqa: S310 (test S3)
        assert answer.read() == stored
        assert f"BaoCao-{COMMUNE}-2026-10.pdf" in answer.headers["Content-Disposition"]

    text = _text(stored)
    metrics = compute_indicators(unit.id, None, None, OCTOBER, OCTOBER.replace(day=31))
    online = metrics["online_share"]
    assert (online["numerator"], online["denominator"]) == (2, 3)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "UBND xã Cần Đăng",
        "tháng 10/2026",
        f"{online['numerator']}/{online['denominator']} ({percent(online['rate'])})",
        percent(online["rate"]),
    ):
        assert " ".join(expected.split()) in text, expected  # a no-break space is white space too
