"""Adding a procedure is one YAML file: a procedure whose transitions have names of its own (some of
a kind of the vocabulary, some declaring their effects in full) gets its forms, notifications,
queues and citizen sentences with no Python. The app runs as the embedded default runs jobs (in
this process, after each commit), against the suite's PostgreSQL, S3 and mail server."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.uow import unit_of_work
from tests.factories import PDF

pytestmark = pytest.mark.committed  # an app instance of its own, with its own connections

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parents[1] / "workflows"
FESTIVAL = "1.999001"
COMMUNE = "000.21.30.H01"


@pytest.fixture
def festival_app(app, tmp_path):
    from app import create_app

    folder = tmp_path / "workflows"
    folder.mkdir()
    for path in [*SHIPPED.glob("*.yaml"), HERE / "procedures" / "festival_permit.yaml"]:
        shutil.copy(path, folder / path.name)
    keep = (
        "TESTING",
        "PASSWORD_HASH_METHOD",
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "STORAGE_BACKEND",
    )
    config = {key: app.config[key] for key in keep}
    config.update({key: value for key, value in app.config.items() if key.startswith(("S3_", "MAIL_"))})
    config.update({"REDIS_URL": "", "WORKFLOWS_DIR": str(folder)})
    instance = create_app(config)
    instance.test_client_class = app.test_client_class
    yield instance
    with instance.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def _headers(user) -> dict[str, str]:  # noqa: ANN001
    from app.auth.services import issue_token

    with unit_of_work():
        token, _ = issue_token(user)
    return {"Authorization": f"Bearer {token}"}


def _act(client, code: str, headers: dict, name: str, **payload) -> dict:  # noqa: ANN001
    response = client.post(
        f"/api/v1/dossiers/{code}/transitions", json={"name": name, **payload}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json


def _in_queue(client, kind: str, headers: dict, code: str) -> bool:  # noqa: ANN001
    response = client.get(f"/api/v1/queues/{kind}", headers=headers)
    assert response.status_code == 200, response.json
    return code in {row["code"] for row in response.json["items"]}


def _forms(client, code: str, headers: dict) -> list[tuple[str, str]]:  # noqa: ANN001
    return [
        (f["form"], f["status"]) for f in client.get(f"/api/v1/dossiers/{code}/forms", headers=headers).json
    ]


def _notified(dossier_code: str) -> list[tuple[str, str, str]]:
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.notifications.models import Notification

    dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == dossier_code))
    rows = db.session.scalars(
        select(Notification).where(Notification.dossier_id == dossier_id).order_by(Notification.id)
    )
    return [(n.kind, n.channel, n.status) for n in rows]


def test_a_procedure_added_as_one_file_gets_forms_notifications_queues_and_sentences(
    festival_app, make_user, smtp_server
):
    citizen = make_user("citizen", email="le-hoi@example.vn", phone="0912345678")
    staff = {role: make_user(role, unit=COMMUNE) for role in ("reception", "specialist", "leader")}
    with festival_app.app_context():
        client = festival_app.test_client()
        mine, reception = _headers(citizen), _headers(staff["reception"])
        specialist, leader = _headers(staff["specialist"]), _headers(staff["leader"])
        body = {
            "procedure_code": FESTIVAL,
            "unit": COMMUNE,
            "data": json.dumps({"festival_name": "Lễ hội Bà Chúa Xứ", "festival_date": "2027-05-20"}),
            "ke_hoach": (io.BytesIO(PDF), "ke-hoach.pdf"),
        }
        submitted = client.post(
            "/api/v1/dossiers", data=body, headers=mine, content_type="multipart/form-data"
        )
        assert submitted.status_code == 201, submitted.json
        code = submitted.json["code"]
        assert _in_queue(client, "reception", reception, code)

        _act(client, code, reception, "tiep_nhan")  # a kind: accept
        assert _forms(client, code, reception) == [("mau_01", "ready")]
        assert _notified(code) == [("accepted", "email", "sent"), ("accepted", "sms", "sent")]
        assert _in_queue(client, "specialist", specialist, code) and not _in_queue(
            client, "reception", reception, code
        )

        _act(client, code, specialist, "xin_bo_sung", items=["Sơ đồ địa điểm"], comment="Thiếu sơ đồ")
        assert ("mau_02", "ready") in _forms(client, code, reception)
        assert _notified(code)[-1] == ("supplement_requested", "sms", "sent")
        supplied = client.post(
            f"/api/v1/dossiers/{code}/documents",
            data={"ke_hoach": (io.BytesIO(PDF), "ke-hoach-co-so-do.pdf")},
            headers=mine,
            content_type="multipart/form-data",
        )
        assert supplied.status_code == 201, supplied.json
        _act(client, code, mine, "nop_bo_sung")  # a kind: supplement, the citizen answers
        _act(
            client, code, specialist, "kiem_tra_thuc_dia", comment="Địa điểm đủ điều kiện"
        )  # effects declared
        assert _in_queue(client, "leader", leader, code)
        _act(client, code, leader, "cap_phep")  # effects declared: notify result_ready
        assert _notified(code)[-1] == ("result_ready", "sms", "sent")
        _act(client, code, reception, "tra_giay_phep", return_method="counter")
        assert ("mau_06", "ready") in _forms(client, code, reception)  # the return hands over: control sheet

        from tests.portal.support import sign_in

        page = festival_app.test_client()
        sign_in(page, citizen.username)
        html = page.get(f"/my/dossiers/{code}").get_data(as_text=True)
    for sentence in (
        "Bạn đã nộp hồ sơ trực tuyến",
        "Hồ sơ đã được tiếp nhận",
        "Cơ quan yêu cầu bổ sung giấy tờ",
        "Sơ đồ địa điểm",
        "Bạn đã nộp bổ sung giấy tờ",
        "Cán bộ đã kiểm tra địa điểm tổ chức lễ hội",
        "Địa điểm đủ điều kiện",  # its comment is declared public
        "Chủ tịch UBND xã đã ký giấy phép",
        "Đã trả kết quả",
    ):
        assert sentence in html, sentence
