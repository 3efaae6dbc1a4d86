"""Received anywhere, decided by the competent unit (phi địa giới); the dispatch queue when nobody can
tell which unit is competent; deadlines of island communes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.errors import InvalidTransitionError, ValidationError
from app.core.uow import unit_of_work
from app.org.queries import get_unit_by_code
from app.procedures.loader import load_registry
from app.procedures.queries import EXTENSION_KEY
from app.workflow.engine import available_transitions
from app.workflow.submission import Submission, submit_dossier
from tests.factories import act

CODE = "1.999001"
CAN_DANG, KIEN_AN, PROVINCE_CENTRE = "000.21.30.H01", "000.21.31.H01", "000.00.01.H01"


def _procedure(**overrides) -> dict:
    step = {"name": {"vi": "Xã có thẩm quyền giải quyết", "en": "Competent commune decides"}}
    data = {
        "code": CODE,
        "version": 1,
        "effective_from": "2025-07-01",
        "levels": ["province", "district", "commune"],
        "legal_basis": {
            "governing": ["Nghị định số 118/2025/NĐ-CP"],
            "publication": "Quyết định số 1/QĐ-UBND",
        },
        "name": {"vi": "Thủ tục thử phi địa giới", "en": "Test procedure without boundary"},
        "field": {"code": "thu", "name": {"vi": "Thử", "en": "Test"}},
        "competent_level": "commune",
        "competent_from": {"field": "xa_thua_dat"},
        "no_boundary": True,
        "receiving": [
            {"level": "commune", "kinds": ["people_committee"]},
            {"level": "province", "kinds": ["one_stop"]},
        ],
        "channels": ["online", "counter"],
        "online_level": "mot_phan",
        "fees": [
            {
                "key": "le_phi",
                "name": {"vi": "Lệ phí", "en": "Fee"},
                "amount": 50000,
                "channels": ["counter"],
            },
            {
                "key": "le_phi_online",
                "name": {"vi": "Lệ phí trực tuyến", "en": "Online fee"},
                "amount": 25000,
                "channels": ["online"],
                "from": "2025-07-01",
                "to": "2027-12-31",
            },
        ],
        "deadline": {"working_days": 5, "by_area": {"island": {"working_days": 15}}},
        "documents": [],
        "fields": [
            {
                "key": "xa_thua_dat",
                "label": {"vi": "Xã nơi có đất", "en": "Commune of the land"},
                "type": "unit",
                "level": "commune",
                "required": False,
            },
        ],
        "states": {
            "submitted": {"label": {"vi": "Mới", "en": "New"}, "national": 1, "initial": True},
            "accepted": {"label": {"vi": "Đã tiếp nhận", "en": "Accepted"}, "national": 2},
            "deciding": {"label": {"vi": "Xã có thẩm quyền xem xét", "en": "Deciding"}, "national": 4},
            "returned": {"label": {"vi": "Đã trả", "en": "Returned"}, "national": 10, "final": True},
        },
        "transitions": [
            {
                "name": "accept",
                "from": ["submitted"],
                "to": "accepted",
                "roles": ["reception"],
                "label": {"vi": "Tiếp nhận", "en": "Accept"},
                "actions": ["start_clock"],
                "step": {"name": {"vi": "Tiếp nhận", "en": "Reception"}, "budget": {"working_days": 1}},
            },
            {
                "name": "forward",
                "from": ["accepted"],
                "to": "deciding",
                "roles": ["reception"],
                "label": {"vi": "Chuyển xã có thẩm quyền", "en": "Send to the competent commune"},
                "actions": ["open_step"],
                "forward_to": {"kind": "@competent"},
                "step": {**step, "budget": {"working_days": 3, "by_area": {"island": {"working_days": 12}}}},
            },
            {
                "name": "deliver",
                "from": ["deciding"],
                "to": "returned",
                "roles": ["leader"],
                "label": {"vi": "Trả kết quả", "en": "Return"},
                "actions": ["finish", "record_return"],
            },
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def procedure_dir(app, tmp_path, monkeypatch):
    def install(**overrides) -> Path:
        (tmp_path / "p.yaml").write_text(yaml.safe_dump(_procedure(**overrides), allow_unicode=True), "utf-8")
        monkeypatch.setitem(
            app.extensions, EXTENSION_KEY, load_registry(tmp_path, ["province", "district", "commune"])
        )
        return tmp_path

    return install


def _submit(officer, land_commune: str | None):
    data = {"xa_thua_dat": land_commune} if land_commune else {}
    with unit_of_work():
        return submit_dossier(
            officer, Submission(CODE, data, applicant={"name": "Nguyễn Văn Đất"}, channel="counter")
        )


def test_received_at_one_commune_decided_by_the_commune_where_the_land_is(procedure_dir, make_user):
    procedure_dir()
    reception = make_user("reception", unit=CAN_DANG)
    leader_there = make_user("leader", unit=KIEN_AN)
    dossier = _submit(reception, KIEN_AN)
    assert dossier.receiving_unit.code == CAN_DANG
    assert dossier.competent_unit.code == KIEN_AN
    assert dossier.received_outside_area is True
    dossier = act(dossier, "accept", reception)
    dossier = act(dossier, "forward", reception)
    assert dossier.current_unit.code == KIEN_AN  # the competent commune decides
    dossier = act(dossier, "deliver", leader_there)
    assert dossier.state == "returned"


def test_a_procedure_not_on_the_no_boundary_list_is_received_inside_its_area(procedure_dir, make_user):
    procedure_dir(no_boundary=False)
    reception = make_user("reception", unit=CAN_DANG)
    with pytest.raises(ValidationError) as refused:
        _submit(reception, KIEN_AN)
    assert "địa giới" in refused.value.message
    assert _submit(reception, CAN_DANG).received_outside_area is False


def test_unknown_competent_unit_waits_in_the_provincial_dispatch_queue(procedure_dir, make_user):
    procedure_dir()
    reception = make_user("reception", unit=CAN_DANG)
    dispatcher = make_user("reception", unit=PROVINCE_CENTRE)
    dossier = _submit(reception, None)
    assert dossier.competent_unit is None and "Xã nơi có đất" in dossier.dispatch_reason
    assert dossier.current_unit.code == PROVINCE_CENTRE
    assert {t.name for t in available_transitions(dossier, dispatcher)} == {"dispatch", "attach_documents"}
    with pytest.raises(InvalidTransitionError):
        act(dossier, "accept", dispatcher)
    with pytest.raises(ValidationError):
        act(dossier, "dispatch", dispatcher, {"competent_unit": PROVINCE_CENTRE})  # not a commune
    dossier = act(dossier, "dispatch", dispatcher, {"competent_unit": KIEN_AN})
    assert (dossier.competent_unit.code, dossier.current_unit.code) == (KIEN_AN, CAN_DANG)
    assert dossier.dispatch_reason is None and dossier.received_outside_area is True
    assert dossier.events[-1].transition == "dispatch"
    assert "accept" in {t.name for t in available_transitions(dossier, reception)}


def test_an_island_commune_gets_its_own_deadline(procedure_dir, make_user):
    procedure_dir()
    reception = make_user("reception", unit=CAN_DANG)
    mainland = act(_submit(reception, CAN_DANG), "accept", reception)
    get_unit_by_code(KIEN_AN).area = "island"
    island = act(_submit(reception, KIEN_AN), "accept", reception)
    assert (mainland.due_at - mainland.received_at).days < 10
    assert (island.due_at - island.received_at).days >= 15  # 15 working days, weekends on top
    island = act(island, "forward", reception)
    assert (island.steps[-1].due_at - island.steps[-1].started_at).days >= 12


def test_fee_lines_by_channel_and_dates(procedure_dir):
    from datetime import date

    from app.procedures import get_registry

    procedure_dir()
    procedure = get_registry().get(CODE, 1)
    assert procedure.fee == 50000  # the counter total on the effective date
    assert [f.key for f in procedure.fees_for("online", date(2026, 1, 1))] == ["le_phi_online"]
    assert procedure.fees_for("online", date(2028, 1, 1)) == []
    assert procedure.legal_basis.governing == ("Nghị định số 118/2025/NĐ-CP",)
