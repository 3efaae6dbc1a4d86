"""National portal messages: schema-valid for every state of every procedure, true as of their event
(a message rebuilt late equals the one built at the time), and the field-level mapping."""

from __future__ import annotations

import io
from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.time import VN_TZ
from app.core.uow import unit_of_work
from app.extensions import db
from app.national.messages import (
    SchemaError,
    build_dossier_message,
    build_progress_message,
    national_time,
    validate,
)
from app.procedures import get_registry
from app.procedures.graph import SAME_STATE as SAME
from app.procedures.vocabulary import ATTACH_DOCUMENTS, DISPATCH
from app.workflow.actions import forward_candidates
from app.workflow.documents import Files, Upload
from app.workflow.submission import Submission, add_documents, submit_dossier, supply_documents
from tests.clock import Clock, vn
from tests.factories import PDF, act, form_data, later_appointment, sample_file, submit, uploads_for

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs
CAN_DANG = "000.21.30.H01"


# --- walking every procedure's workflow -----------------------------------------------------------


def _target(transition, state: str) -> str:
    return state if transition.target == SAME else transition.target


def _path_to_uncovered(procedure, state: str, uncovered: set[int]) -> list[int] | None:
    """Shortest list of transition indexes from `state` ending with a not yet applied transition."""
    queue, seen = deque([(state, [])]), {state}
    while queue:
        current, path = queue.popleft()
        for index, transition in enumerate(procedure.transitions):
            if current not in transition.sources:
                continue
            if index in uncovered:
                return [*path, index]
            nxt = _target(transition, current)
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, index]))
    return None


class Staff:
    """A user of each role per unit: a seeded one when there is, else a new one (made once)."""

    def __init__(self, make_user) -> None:
        self.make_user, self.cache = make_user, {}

    def get(self, role: str, unit) -> User:
        key = (role, unit.id)
        if key not in self.cache:
            found = db.session.scalar(
                select(User)
                .where(User.role == role, User.unit_id == unit.id, User.is_active_account.is_(True))
                .limit(1)
            )
            self.cache[key] = found or self.make_user(role, unit=unit.code)
        return self.cache[key]


def _payload(dossier, transition, actor_staff: Staff) -> dict:
    payload: dict = {"comment": f"Ý kiến: {transition.label.vi}"}
    if "has_items" in transition.guards:
        payload["items"] = ["Giấy tờ A bản rõ nét", "Giấy tờ B"]
    if "new_appointment" in transition.guards:
        payload["new_appointment_at"] = later_appointment(dossier)
    if "has_assignee" in transition.guards:
        payload["assignee"] = actor_staff.get("specialist", dossier.current_unit).username
    if transition.forward_to is not None and transition.forward_to.kind != "@receiving":
        payload["unit"] = forward_candidates(dossier, transition)[0].code
    return payload


def _apply(dossier, transition, citizen, staff: Staff, procedure):
    payload = _payload(dossier, transition, staff)
    spec = procedure.documents[0]
    content, name = sample_file(spec.types)
    upload = Upload(spec.key, name, io.BytesIO(content))
    if transition.effects.answers_applicant:
        with unit_of_work():
            return supply_documents(dossier, citizen, [upload], payload["comment"])
    if transition.name == ATTACH_DOCUMENTS:  # a scan added by the unit holding the dossier
        role = next(r for r in transition.roles if r != "citizen")
        with unit_of_work():
            return add_documents(dossier, staff.get(role, dossier.current_unit), Files(documents=[upload]))
    if "citizen" in transition.roles:
        return act(dossier, transition.name, citizen, payload)
    role = next(r for r in transition.roles if r != "citizen")
    return act(dossier, transition.name, staff.get(role, dossier.current_unit), payload)


def _messages_now(dossier, procedure) -> tuple[dict, dict]:
    event = dossier.events[-1]
    dossier_message = build_dossier_message(dossier, event)
    progress_message = build_progress_message(dossier, event)
    validate(dossier_message, "dossier")
    validate(progress_message, "progress")
    code = procedure.states[event.to_state].national_code
    assert dossier_message["TrangThaiHoSo"] == code == dossier.national_status
    assert progress_message["TrangThai"] == code
    assert dossier_message["NgayHenTra"] == national_time(dossier.appointment_at)
    assert dossier_message["DonViXuLy"] == dossier.current_unit.name
    return dossier_message, progress_message


def test_every_state_of_every_procedure_gives_schema_valid_messages(app, make_user):
    """Walk each workflow, applying every transition at least once (so every state is visited); at
    each event both messages validate and carry the state's national code. Rebuilt at the end, the
    message of every earlier event equals the one built at the time: a late delivery tells the truth."""
    staff = Staff(make_user)
    citizen = make_user("citizen", email="cd@example.vn", phone="0912345678")
    for procedure in get_registry().list_current():  # the versions new dossiers are submitted under
        # all but the submission and the dispatch (only for a dossier nobody could route: tests/workflow)
        uncovered = {i for i, t in enumerate(procedure.transitions) if t.sources and t.kind != DISPATCH}
        visited = set()
        while uncovered:
            dossier = submit(citizen, procedure.code)
            at_the_time = [_messages_now(dossier, procedure)]
            visited.add(dossier.state)
            while (path := _path_to_uncovered(procedure, dossier.state, uncovered)) is not None:
                for index in path:
                    dossier = _apply(dossier, procedure.transitions[index], citizen, staff, procedure)
                    uncovered.discard(index)
                    visited.add(dossier.state)
                    at_the_time.append(_messages_now(dossier, procedure))
            db.session.expire_all()
            rebuilt = [
                (build_dossier_message(dossier, e), build_progress_message(dossier, e))
                for e in dossier.events
            ]
            assert rebuilt == at_the_time, procedure.code
            fees = [fee["Gia"] for fee in rebuilt[-1][0]["DanhSachLePhi"]]
            assert fees == ([procedure.fee] if procedure.fee else []), procedure.code
        assert visited == set(procedure.states), (procedure.code, set(procedure.states) - visited)


# --- field-level mapping on one dossier with a pinned clock ---------------------------------------


def _counter_intake(user, citizen, channel: str = "counter"):
    procedure = get_registry().current(BIRTH)
    return submit_dossier(
        user("tn.candang"),
        Submission(
            procedure_code=BIRTH,
            data=form_data(procedure),
            uploads=uploads_for(procedure),
            channel=channel,
            applicant={
                "name": citizen.full_name,
                "citizen_id": citizen.citizen_id,
                "phone": "0912345678",
                "email": "me@example.vn",
            },
        ),
    )


def test_birth_dossier_messages_field_by_field(monkeypatch, make_user, user):
    clock = Clock(monkeypatch, "2026-11-23 08:00")  # a Monday
    citizen = make_user("citizen")
    dossier = _counter_intake(user, citizen)
    submitted = build_dossier_message(dossier, dossier.events[-1])
    assert submitted["KenhNopHoSo"] == 1  # counter
    assert submitted["MaDinhDanhDV"] == CAN_DANG
    assert submitted["MaDoiTuong"] == citizen.citizen_id
    assert (submitted["NgayTiepNhan"], submitted["NgayHenTra"], submitted["NgayTra"]) == (None, None, None)
    assert submitted["TaiLieuNop"] and all(
        "storage" not in str(row).lower() for row in submitted["TaiLieuNop"]
    )
    assert {row["MaThanhPhanHoSo"] for row in submitted["TaiLieuNop"]} == {
        d.doc_key for d in dossier.documents
    }
    assert submitted["DanhSachLePhi"] == []  # birth registration in time is free

    clock.at("2026-11-23 08:30")
    act(dossier, "accept", user("tn.candang"))
    accepted = build_dossier_message(dossier, dossier.events[-1])
    assert accepted["NgayTiepNhan"] == "20261123083000"  # local time; stored as 01:30 UTC
    assert dossier.received_at.utcoffset() == timedelta(0) and dossier.received_at.hour == 1
    first_appointment = dossier.appointment_at

    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    clock.at("2026-11-23 09:00")
    items = {"items": ["Giấy chứng sinh bản chính", "CCCD của mẹ"], "comment": "Bản chụp mờ"}
    act(dossier, "return_for_supplement", user("cv.candang"), items)
    asked = build_dossier_message(dossier, dossier.events[-1])
    assert asked["TrangThaiHoSo"] == 5
    assert asked["DanhSachHoSoBoSung"] == [
        {
            "HoSoBoSungId": dossier.events[-1].id,
            "LoaiBoSung": 1,
            "NguoiYeuCauBoSung": user("cv.candang").full_name,
            "NoiDungBoSung": "Giấy chứng sinh bản chính; CCCD của mẹ",
            "LyDo": "Bản chụp mờ",
            "NgayYeuCauBoSung": "20261123090000",
            "NgayTiepNhanBoSung": None,
            "TrangThaiBoSung": 0,
            "NgayHenTraTruoc": national_time(first_appointment),
            "NgayHenTraMoi": None,
        }
    ]

    clock.at("2026-11-24 10:00")
    upload = Upload("giay_chung_sinh", "giay-chung-sinh.pdf", io.BytesIO(PDF))
    supply_documents(dossier, citizen, [upload])
    moved_appointment = dossier.appointment_at
    assert moved_appointment > first_appointment
    supplied = build_dossier_message(dossier, dossier.events[-1])
    round_ = supplied["DanhSachHoSoBoSung"][0]
    assert (round_["NgayTiepNhanBoSung"], round_["TrangThaiBoSung"]) == ("20261124100000", 1)
    assert round_["NgayHenTraMoi"] == national_time(moved_appointment) == supplied["NgayHenTra"]

    clock.at("2026-11-24 10:30")
    new_date = vn("2026-11-27 16:00")
    act(
        dossier,
        "extend",
        user("ld.candang"),
        {"new_appointment_at": new_date.isoformat(), "comment": "Xác minh"},
    )
    extension = build_dossier_message(dossier, dossier.events[-1])["DanhSachHoSoBoSung"][1]
    assert (extension["LoaiBoSung"], extension["NgayYeuCauBoSung"]) == (2, "20261124103000")
    assert extension["NgayHenTraTruoc"] == national_time(moved_appointment)
    assert extension["NgayHenTraMoi"] == "20261127160000"

    clock.at("2026-11-24 11:00")
    act(dossier, "propose", user("cv.candang"), {"comment": "Đủ điều kiện"})
    progress = build_progress_message(dossier, dossier.events[-1])
    step = dossier.steps[-1]
    procedure = get_registry().get(BIRTH, dossier.procedure_version)
    propose = next(t for t in procedure.transitions if t.name == "propose")
    assert progress == {
        "MaHoSo": dossier.code,
        "NguoiXuLy": user("cv.candang").full_name,
        "TieuDe": propose.label.vi,
        "ThoiDiemXuLy": "20261124110000",
        "DonViXuLy": dossier.current_unit.name,
        "NoiDung": "Đủ điều kiện",
        "TrangThai": 4,
        "NgayBatDau": "20261123083000",
        "NgayKetThucTheoQuyDinh": national_time(step.due_at),
        "MaDinhDanhDV": CAN_DANG,
    }

    clock.at("2026-11-24 13:00")
    act(dossier, "approve", user("ld.candang"))
    result = Upload("result", "giay-khai-sinh.pdf", io.BytesIO(PDF))
    with unit_of_work():
        add_documents(dossier, user("tn.candang"), Files(results=[result]))
    act(dossier, "complete", user("tn.candang"))
    clock.at("2026-11-25 09:15")
    act(dossier, "deliver", user("tn.candang"), {"return_method": "counter"})
    returned = build_dossier_message(dossier, dossier.events[-1])
    validate(returned, "dossier")
    assert (returned["TrangThaiHoSo"], returned["NgayTra"]) == (10, "20261125091500")
    assert returned["NgayHenTra"] == "20261127160000"
    assert [r["TenTepDinhKem"] for r in returned["DanhSachGiayToKetQua"]] == ["giay-khai-sinh.pdf"]
    assert returned["DanhSachGiayToKetQua"][0]["TenGiayTo"] == procedure.result_name.vi
    # as of its own event the first message still says "submitted, nothing received yet"
    again = build_dossier_message(dossier, dossier.events[0])
    assert (again["TrangThaiHoSo"], again["NgayTiepNhan"], again["DanhSachHoSoBoSung"]) == (1, None, [])


def test_channel_key_is_configurable_and_postal_is_three(app, monkeypatch, make_user, user):
    monkeypatch.setitem(app.config, "NATIONAL_CHANNEL_FIELD", "KenhThucHien")
    dossier = _counter_intake(user, make_user("citizen"), channel="postal")
    message = build_dossier_message(dossier, dossier.events[-1])
    assert message["KenhThucHien"] == 3 and "KenhNopHoSo" not in message
    validate(message, "dossier")
    message["KenhNopHoSo"] = message.pop("KenhThucHien")
    with pytest.raises(SchemaError) as raised:
        validate(message, "dossier")
    assert set(raised.value.fields) == {"KenhThucHien", "KenhNopHoSo"}


def test_online_submission_is_channel_two(make_user):
    dossier = submit(make_user("citizen"), BIRTH)
    assert build_dossier_message(dossier, dossier.events[-1])["KenhNopHoSo"] == 2


# --- invalid messages -----------------------------------------------------------------------------


def _valid_progress() -> dict:
    return {
        "MaHoSo": "000.21.30.H01-261123-0001",
        "NguoiXuLy": None,
        "TieuDe": "Tiếp nhận hồ sơ",
        "ThoiDiemXuLy": "20261123083000",
        "DonViXuLy": "UBND xã Cần Đăng",
        "NoiDung": None,
        "TrangThai": 2,
        "NgayBatDau": None,
        "NgayKetThucTheoQuyDinh": None,
        "MaDinhDanhDV": CAN_DANG,
    }


def test_missing_code_and_bad_timestamp_are_named():
    validate(_valid_progress(), "progress")
    message = _valid_progress()
    del message["MaHoSo"]
    message["ThoiDiemXuLy"] = "2026-11-23T08:30:00+07:00"
    with pytest.raises(SchemaError) as raised:
        validate(message, "progress")
    assert set(raised.value.fields) == {"MaHoSo", "ThoiDiemXuLy"}
    assert "MaHoSo" in str(raised.value) and "ThoiDiemXuLy" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_nested_field_paths_and_the_string_none_are_refused(make_user):
    dossier = submit(make_user("citizen"), BIRTH)
    message = build_dossier_message(dossier, dossier.events[-1])
    message["NgayHenTra"] = "None"
    message["TaiLieuNop"][0]["MaThanhPhanHoSo"] = ""
    with pytest.raises(SchemaError) as raised:
        validate(message, "dossier")
    assert raised.value.fields == ["NgayHenTra", "TaiLieuNop[0].MaThanhPhanHoSo"]


def test_national_time_is_local_and_keeps_none():
    from datetime import UTC, datetime

    assert national_time(datetime(2026, 11, 23, 17, 30, 5, tzinfo=UTC)) == "20261124003005"
    assert national_time(datetime(2026, 11, 24, 0, 30, tzinfo=VN_TZ)) == "20261124003000"
    assert national_time(None) is None
    with pytest.raises(ValueError):
        national_time(datetime(2026, 11, 24))  # noqa: DTZ001 (naive on purpose)
