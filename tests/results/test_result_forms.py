"""The procedure version says what its result is: an electronic original makes the approval ask for
the file; a paper original takes none, and the citizen is told where to collect it or that it was
posted (with the tracking number), never to download it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.errors import ValidationError
from app.procedures.loader import load_procedures
from tests.factories import act, submit
from tests.procedures.support import LEVELS
from tests.web import signed_in_client

ROOT = Path(__file__).resolve().parents[2]
LAND = "1.012790"  # a paper original: the land certificate (workflows/land_first_certificate.yaml)


def _birth_with(tmp_path: Path, result: dict | None, **transition_changes):  # noqa: ANN202
    data = yaml.safe_load((ROOT / "workflows" / "birth_registration.yaml").read_text(encoding="utf-8"))
    if result is not None:
        data["result"] = result
    approve = next(t for t in data["transitions"] if t["name"] == "approve")
    approve.update(transition_changes)
    (tmp_path / "birth.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_procedures(tmp_path, LEVELS)


def _inputs(report, name: str) -> dict:
    procedure = report.procedures[0]
    return {t.name: dict(t.inputs) for t in procedure.transitions}[name]


@pytest.mark.parametrize(
    ("form", "approve", "attach"),
    [
        ("electronic", "required", "optional"),
        ("both", "required", "optional"),
        ("paper", None, None),
    ],
)
def test_the_result_form_decides_whether_the_approval_asks_for_a_file(tmp_path, form, approve, attach):
    report = _birth_with(tmp_path, {"form": form})
    assert report.errors == []
    assert _inputs(report, "approve").get("result_file") == approve
    assert _inputs(report, "attach_documents").get("result_file") == attach
    assert report.procedures[0].result.form == form


def test_without_the_key_the_file_stays_optional_as_before(tmp_path):
    report = _birth_with(tmp_path, None)
    assert (
        _inputs(report, "approve")["result_file"] == "optional" and not report.procedures[0].result.declared
    )


@pytest.mark.parametrize(
    ("result", "changes", "message"),
    [
        ({"form": "digital"}, {}, "result.form: unknown form of result 'digital'"),
        ({"form": "electronic", "collect": ["post"]}, {}, "result.collect: only a paper original"),
        ({"form": "paper", "collect": ["drone"]}, {}, "result.collect"),
        ({"form": "paper"}, {"guards": ["has_result"]}, "a paper result (paper) is no file"),
    ],
)
def test_a_wrong_result_key_is_refused_with_its_path(tmp_path, result, changes, message):
    report = _birth_with(tmp_path, result, **changes)
    assert report.procedures == [] and any(message in e for e in report.errors), report.errors


def _land_to_approved(citizen, user):
    dossier = submit(citizen, LAND)
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("tn.candang"), {"assignee": "cv.candang"})
    act(dossier, "forward", user("cv.candang"))
    act(dossier, "forward", user("cv.vpdk"))
    return act(dossier, "approve", user("ld.chauthanh"))


def test_a_paper_result_is_approved_without_a_file_and_the_citizen_is_told_where_to_collect_it(
    app, make_user, user
):
    citizen = make_user("citizen", username="kq-giay", password="password123")
    dossier = _land_to_approved(citizen, user)
    assert dossier.state == "approved" and not any(d.is_result for d in dossier.documents)
    act(dossier, "complete", user("tn.candang"))

    html = (
        signed_in_client(app, "kq-giay", "password123")
        .get(f"/my/dossiers/{dossier.code}")
        .get_data(as_text=True)
    )
    assert "Kết quả là bản giấy. Bạn nhận tại:" in html and dossier.receiving_unit.name in html
    assert "Tải kết quả" not in html and "Kết quả điện tử" not in html


def test_a_paper_result_sent_by_post_shows_its_tracking_number(app, make_user, user):
    citizen = make_user("citizen", username="kq-buu-chinh", password="password123")
    dossier = _land_to_approved(citizen, user)
    act(dossier, "complete", user("tn.candang"))
    with pytest.raises(ValidationError) as refused:
        act(dossier, "deliver", user("tn.candang"), {"return_method": "electronic"})
    assert "bản giấy" in refused.value.details["return_method"]
    act(dossier, "deliver", user("tn.candang"), {"return_method": "post", "tracking_number": "EL123456789VN"})

    html = (
        signed_in_client(app, "kq-buu-chinh", "password123")
        .get(f"/my/dossiers/{dossier.code}")
        .get_data(as_text=True)
    )
    assert (
        "đã được gửi đến bạn qua bưu chính" in html and "EL123456789VN" in html and "Tải kết quả" not in html
    )
