"""The staff search over the rows of the units that hold or held each dossier: what each kind of
box finds, in every state, for each role's scope, page by page; the rows kept by the engine."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from sqlalchemy import event, select

from app.core.cursors import Cursor
from app.dossiers.models import Dossier
from app.dossiers.permissions import visibility_clause
from app.extensions import db
from app.org.models import Unit
from app.search.models import DossierHolder
from app.search.queries import SearchFilters, search_dossiers
from tests.factories import submit
from tests.search.conftest import BIRTH

COMMUNE, REGISTRY, DISTRICT = "000.21.30.H01", "000.04.30.H01", "000.00.30.H01"


def codes(user, **filters) -> list[str]:
    rows, _ = search_dossiers(user, SearchFilters(**filters), limit=200)
    return [r.code for r in rows]


def holders(dossier) -> set[str]:
    query = select(Unit.code).join(DossierHolder, DossierHolder.unit_id == Unit.id)
    return set(db.session.scalars(query.where(DossierHolder.dossier_id == dossier.id)))


def test_every_unit_that_held_a_lien_thong_dossier_has_its_row_with_the_keys(land):
    assert holders(land) == {COMMUNE, REGISTRY, DISTRICT}
    row = db.session.scalar(select(DossierHolder).where(DossierHolder.dossier_id == land.id).limit(1))
    assert row.code_reversed == land.code[::-1]
    assert (row.name_search, row.citizen_id, row.phone) == ("tran thi thao", "089190000555", "0912000555")
    assert db.session.get(DossierHolder, (land.receiving_unit_id, land.id)) is not None
    assert (row.procedure_code, row.submitted_at) == (land.procedure_code, land.submitted_at)


def test_a_submitted_dossier_is_held_by_its_receiving_unit_only(births):
    assert holders(births["waiting"]) == {COMMUNE}


def test_officer_finds_returned_refused_and_withdrawn_dossiers_by_code_or_its_end(births, user):
    officer = user("tn.candang")
    for dossier in births.values():
        serial = dossier.code.rsplit("-", 1)[1]
        day_serial = "-".join(dossier.code.rsplit("-", 2)[1:])
        assert codes(officer, q=dossier.code) == [dossier.code]
        assert codes(officer, q=dossier.code.lower()) == [dossier.code]
        assert dossier.code in codes(officer, q=serial)
        assert codes(officer, q=day_serial) == [dossier.code]
    states = {r.code: (r.state_label, r.is_final) for r in search_dossiers(officer, SearchFilters())[0]}
    assert states[births["returned"].code][1] and states[births["withdrawn"].code][1]
    assert not states[births["waiting"].code][1]


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Trần Thị Thảo", "citizen"),
        ("tran thi thao", "citizen"),
        ("THAO", "citizen"),
        ("089190000555", "citizen"),
        ("0912 000 555", "citizen"),
        ("+84912000555", "citizen"),
        ("le van minh", "other"),
        ("0912000666", "other"),
        ("0912000777", "counter"),
        ("+84 912 000 777", "counter"),
        ("vo thi anh", "counter"),
    ],
)
def test_officer_finds_dossiers_by_name_citizen_id_and_phone(births, user, typed, who):
    mine = {"citizen": ["withdrawn", "refused", "returned"], "other": ["waiting"], "counter": ["counter"]}[
        who
    ]
    assert codes(user("cv.candang"), q=typed) == [births[k].code for k in mine]


def test_procedure_and_submission_dates_narrow_the_search(births, land, user):
    officer = user("tn.candang")
    on_the_3rd = codes(officer, date_from=date(2026, 12, 3), date_to=date(2026, 12, 3))
    assert set(on_the_3rd) == {births[k].code for k in ("returned", "refused", "withdrawn")} | {land.code}
    assert codes(officer, procedure=BIRTH, date_from=date(2026, 12, 4)) == [
        births["counter"].code,
        births["waiting"].code,
    ]
    assert codes(officer, procedure="1.012790") == [land.code]
    assert codes(officer, q="0912000555", procedure="1.012790") == [land.code]


def test_results_are_newest_first_and_pages_follow_the_cursor(births, user):
    officer = user("tn.candang")
    ours = [births[k].code for k in ("counter", "waiting", "withdrawn", "refused", "returned")]
    first, cursor = search_dossiers(officer, SearchFilters(q="0912000"), limit=2)
    assert first == [] and cursor is None  # a phone is matched whole, not by its start
    seen, cursor = [], None
    while True:
        rows, cursor = search_dossiers(officer, SearchFilters(procedure=BIRTH), cursor, limit=3)
        seen += [r.code for r in rows]
        if cursor is None:
            break
        assert isinstance(cursor, Cursor) and len(rows) == 3
    assert [c for c in seen if c in ours] == ours
    assert len(seen) == len(set(seen))


def test_each_role_finds_what_the_dossier_page_lets_it_open(land, births, user, make_user):
    registry, other_commune = user("cv.vpdk"), make_user("reception", "000.22.30.H01")
    own_district, other_district = (
        make_user("supervisor", "000.00.30.H01"),
        make_user("supervisor", "000.00.31.H01"),
    )
    assert codes(registry) == [land.code]  # handed on and sent back: the registry keeps seeing it
    assert codes(other_commune, q=land.code) == []
    assert land.code in codes(own_district) and births["waiting"].code in codes(own_district)
    assert codes(other_district, q="tran thi thao") == []
    assert land.code in codes(user("giamsat.tinh"), q="tran thi thao")
    assert land.code in codes(user("admin"), q=land.code.rsplit("-", 1)[1])
    for person in (
        registry,
        other_commune,
        own_district,
        other_district,
        user("giamsat.tinh"),
        user("admin"),
    ):
        visible = set(db.session.scalars(select(Dossier.code).where(visibility_clause(person))))
        assert set(codes(person)) == visible, person.username


def test_a_registry_supervisor_of_the_area_opens_a_dossier_only_a_step_held(land, make_user):
    """A supervisor's area: a dossier received and held elsewhere that one of its units handled."""
    from app.dossiers.permissions import can_view_dossier

    supervisor = make_user("supervisor", REGISTRY)
    assert land.receiving_unit.code == COMMUNE and land.current_unit.code == COMMUNE
    assert can_view_dossier(supervisor, land)
    assert codes(supervisor) == [land.code]


def statements_of(work) -> int:
    sent = []

    def record(*_args) -> None:
        sent.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(sent)


def test_the_statements_do_not_grow_with_the_page(births, user, clock):
    officer, supervisor = user("tn.candang"), user("giamsat.tinh")
    for hour in range(10, 16):
        clock.at(f"2026-12-04 {hour}:00")
        submit(births["waiting"].applicant or user("congdan"), BIRTH)
    counts = []
    for person in (officer, supervisor):
        search_dossiers(person, SearchFilters())  # loads what the accounts' rows expired on commit
        for limit in (1, 8):
            page = partial(search_dossiers, person, SearchFilters(procedure=BIRTH), limit=limit)
            counts.append(statements_of(page))
    assert counts[0] == counts[1] == 1 and counts[2] == counts[3], counts


def test_a_corrected_name_or_phone_is_found_under_the_new_one_by_every_unit(land, user):
    from app.core.uow import unit_of_work

    with unit_of_work():
        dossier = db.session.get(Dossier, land.id)
        dossier.applicant_name, dossier.applicant_phone = "Trần Thị Thu Thảo", "+84 913 000 555"
    for login in ("tn.candang", "cv.vpdk"):
        assert codes(user(login), q="thu thao") == [land.code]
        assert codes(user(login), q="0913000555") == [land.code]
        assert codes(user(login), q="0912000555") == []
