"""The counted facts of the indicators, read from the records: grouped SQL per family and
attribution basis, one row per (unit, procedure version, bucket).

Families, each anchored on its own instant:
- intake (reception), by `Dossier.received_at` (acceptance, when the clock starts): received, by channel,
  processed in the electronic environment, digitised inputs, reused documents;
- completion, by `Dossier.completed_at` (result ready): early / on time / late, electronic
  results, processing time, the rating's answers;
- legs, by `DossierStep.finished_at`: each unit's leg (Mẫu 05/06 row) early / on time / late.

Bases, the unit a fact is attributed to (every indicator can be read by each):
- "competent": the unit competent to decide (`competent_unit_id`); when none is recorded, the unit
  that holds the dossier, which for a completed dossier is the unit that finished it;
- "received": the unit that received it;
- "leg": every unit that had a leg in it (a dossier counts once for each such unit), and progress
  by the legs themselves: a late leg counts against its own unit.

Fully online ("xử lý trên môi trường điện tử") means the dossier's work is handled on the system:
filed online, or every current input digitised at reception (scanned at the counter, reused, an
electronic original). Registry facts (fees, statutory time, field) are applied by the caller per
procedure version, so stored rows stay valid whatever the registry says later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, false, func, literal, null, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.procedures.definitions import dossier_channels
from app.ratings.models import SATISFIED_FROM

BASES = ("competent", "received", "leg")
DEFAULT_BASIS = "competent"
CHANNELS = ("online", "counter", "postal")
FAMILIES = {
    "intake": ("received", "online", "counter", "postal", "fully_online", "digitised", "reused"),
    "completion": (
        "completed",
        "early",
        "on_time",
        "late",
        "electronic",
        "timed",
        "minutes",
        "ratings",
        "satisfied",
        "time_ok",
        "once",
        "good",
    ),
    "legs": ("legs", "leg_early", "leg_on_time", "leg_late"),
}
# What the daily rollup keeps: dossiers by competent and receiving unit, legs by their unit. Under the
# leg reading a dossier counts once in each output group that had a leg in it, which depends on the
# groups asked for: those rows are always counted from the records.
FAMILY_BASES = {
    "intake": ("competent", "received"),
    "completion": ("competent", "received"),
    "legs": ("leg",),
}


@dataclass(frozen=True)
class Span:
    """[start, end) instants counted into the output bucket `key` (None: a plain period)."""

    key: Any
    start: datetime
    end: datetime


@dataclass(frozen=True)
class FactRow:
    family: str
    unit_id: int  # the unit attributed; under the leg reading of dossiers, the receiving unit
    procedure_code: str
    procedure_version: int
    bucket: Any
    counts: dict[str, int]
    group: int | None = None  # under the leg reading of dossiers: the index of the output group


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


def electronic_result() -> ColumnElement[bool]:
    """An original electronic result: signed with the issuing agency's key (app.results.queries);
    an unsigned file or a paper result is none."""
    from app.results.queries import result_facts

    return result_facts()["original_electronic"]


def read_pushed(
    basis: str,
    spans: Sequence[Span],
    units: Iterable[int] | None,
    procedure: str | None,
    all_units: Sequence[int] | None,
    groups: dict[int, int] | None = None,
) -> list[FactRow]:
    """Completed dossiers whose signed result reached the citizen's personal data store
    (app.results.queries), counted from the records like `read_synced`: a push changes it later."""
    from app.results.queries import result_facts

    return _read_from_records("pushed", result_facts()["pushed"], Dossier.completed_at, "completion",
                              basis, spans, units, procedure, all_units, groups)  # fmt: skip


class DossierFacts:
    """The columns the counters read, on the dossiers themselves (`RecordedFacts` is the copy the
    daily rollup counted, with the same names)."""

    channel = Dossier.channel
    digitised = Dossier.has_digitised_inputs
    reused = Dossier.has_reused_document
    outcome = Dossier.outcome
    minutes = Dossier.processing_minutes
    rating_overall = Dossier.rating_overall
    rating_time = Dossier.rating_time
    rating_contacts = Dossier.rating_contacts
    rating_conduct = Dossier.rating_conduct

    @staticmethod
    def electronic() -> ColumnElement[bool]:
        return electronic_result()


def _counters(family: str, c: Any = DossierFacts) -> dict[str, Any]:
    if family == "intake":
        online = c.channel.in_(dossier_channels("online"))  # a national portal filing is online
        digitised = c.digitised.is_(True)
        return {
            "received": func.count(),
            **{ch: _count(c.channel.in_(dossier_channels(ch))) for ch in CHANNELS},
            "fully_online": _count(or_(online, digitised)),
            "digitised": _count(digitised),
            "reused": _count(c.reused.is_(True)),
        }
    if family == "completion":
        return {
            "completed": func.count(),
            "early": _count(c.outcome == "early"),
            "on_time": _count(c.outcome == "on_time"),
            "late": _count(c.outcome == "late"),
            "electronic": _count(c.electronic()),
            "timed": func.count(c.minutes),
            "minutes": func.coalesce(func.sum(c.minutes), 0),
            # the rating's answers, kept on the dossier (app.ratings.models)
            "ratings": func.count(c.rating_overall),
            "satisfied": _count(c.rating_overall >= SATISFIED_FROM),
            "time_ok": _count(c.rating_time.in_(("faster", "on_time"))),
            "once": _count(c.rating_contacts == "once"),
            "good": _count(c.rating_conduct == "good"),
        }
    return {
        "legs": func.count(),
        "leg_early": _count(DossierStep.outcome == "early"),
        "leg_on_time": _count(DossierStep.outcome == "on_time"),
        "leg_late": _count(DossierStep.outcome == "late"),
    }


def time_column(family: str) -> Any:
    return {
        "intake": Dossier.received_at,
        "completion": Dossier.completed_at,
        "legs": DossierStep.finished_at,
    }[family]


def competent_unit() -> ColumnElement[int]:
    """The competent unit, else the unit holding (or that finished) the dossier."""
    return func.coalesce(Dossier.competent_unit_id, Dossier.current_unit_id)


def dossier_unit(basis: str) -> ColumnElement[int]:
    """The unit a dossier is attributed to under `basis` ("received" / "competent")."""
    return Dossier.receiving_unit_id if basis == "received" else competent_unit()


def leg_groups(groups: dict[int, int] | None) -> Any:
    """Each (dossier, output group) in which a unit of the group had a leg, once; `groups` maps unit
    id -> group index (None: every unit, one group)."""
    if groups is None:
        return select(DossierStep.dossier_id, literal(0).label("grp")).distinct().subquery("leg_groups")
    by_index: dict[int, list[int]] = {}
    for unit_id, index in groups.items():
        by_index.setdefault(index, []).append(unit_id)
    if len(by_index) == 1:
        group: Any = literal(next(iter(by_index)))
    else:
        group = case(*[(DossierStep.unit_id.in_(sorted(ids)), literal(i)) for i, ids in by_index.items()])
    return (
        select(DossierStep.dossier_id, group.label("grp"))
        .where(DossierStep.unit_id.in_(sorted(groups)))
        .distinct()
        .subquery("leg_groups")
    )


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _index_driver(family: str, all_units: Sequence[int] | None) -> list[Any]:
    """On PostgreSQL, a condition on the leading column of the family's index (receiving unit for
    intake, holding unit for completion) that every row meets, so that a time range over every
    unit is read per unit from that index instead of the whole table."""
    if not all_units or not _postgres() or family == "legs":
        return []
    column = Dossier.receiving_unit_id if family == "intake" else Dossier.current_unit_id
    return [column.in_(list(all_units))]


def spans_condition(column: Any, spans: Iterable[Span]) -> Any:
    spans = list(spans)
    if not spans:
        return false()
    return or_(*[and_(column >= s.start, column < s.end) for s in spans])


def bucket_of(column: Any, spans: Sequence[Span]) -> tuple[Any, bool]:
    """The SQL of each row's bucket key, and whether it varies (then it is grouped by)."""
    keys = {s.key for s in spans}
    if len(keys) <= 1:
        key = next(iter(keys), None)
        return (null() if key is None else literal(key)), False
    whens = [(and_(column >= s.start, column < s.end), literal(s.key)) for s in spans]
    return case(*whens, else_=null()), True


def grouped_statement(
    family: str,
    basis: str,
    bucket: tuple[Any, bool],
    conditions: Sequence[Any],
    units: Iterable[int] | None = None,
    procedure: str | None = None,
    all_units: Sequence[int] | None = None,
    groups: dict[int, int] | None = None,
) -> Select:
    """SELECT unit_id, procedure_code, procedure_version, bucket, grp, <counters> of one family
    under one basis, rows restricted by `conditions` (time ranges), `units` and `procedure`. Under
    the leg reading of dossiers `groups` (unit id -> group index) says which legs count where."""
    counters = _counters(family)
    grp: Any = null()
    if family == "legs":
        unit = DossierStep.unit_id
        statement = select().select_from(DossierStep).join(Dossier, Dossier.id == DossierStep.dossier_id)
        conditions = [*conditions, DossierStep.outcome.is_not(None)]
    elif basis == "leg":
        legs = leg_groups(groups)
        unit, grp = Dossier.receiving_unit_id, legs.c.grp
        statement = select().select_from(Dossier).join(legs, legs.c.dossier_id == Dossier.id)
        units = None  # the legs say where it counts
    else:
        unit = dossier_unit(basis)
        statement = select().select_from(Dossier)
    where = [time_column(family).is_not(None), *conditions, *_index_driver(family, all_units)]
    if units is not None:
        where.append(unit.in_(sorted(set(units))))
    if procedure:
        where.append(Dossier.procedure_code == procedure)
    bucket_sql, varies = bucket
    keys = [
        unit,
        Dossier.procedure_code,
        Dossier.procedure_version,
        *([grp] if family != "legs" and basis == "leg" else []),
    ]
    columns = [unit.label("unit_id"), Dossier.procedure_code, Dossier.procedure_version]
    return (
        statement.add_columns(
            *columns, bucket_sql.label("bucket"), grp.label("grp"), *[c.label(n) for n, c in counters.items()]
        )
        .where(*where)
        .group_by(*keys, *([bucket_sql] if varies else []))
    )


def read_live(
    family: str,
    basis: str,
    spans: Sequence[Span],
    units: Iterable[int] | None,
    procedure: str | None,
    all_units: Sequence[int] | None,
    groups: dict[int, int] | None = None,
) -> list[FactRow]:
    """The family's rows for `spans`, counted from the records now."""
    if not spans:
        return []
    column = time_column(family)
    statement = grouped_statement(
        family,
        basis,
        bucket_of(column, spans),
        [spans_condition(column, spans)],
        units,
        procedure,
        all_units,
        groups,
    )
    return rows_of(family, db.session.execute(statement))


def rows_of(family: str, result: Iterable[Any]) -> list[FactRow]:
    names = FAMILIES[family]
    return [
        FactRow(
            family,
            row.unit_id,
            row.procedure_code,
            row.procedure_version,
            row.bucket,
            {n: int(getattr(row, n) or 0) for n in names},
            getattr(row, "grp", None),
        )
        for row in result
    ]


def read_synced(
    basis: str,
    spans: Sequence[Span],
    units: Iterable[int] | None,
    procedure: str | None,
    all_units: Sequence[int] | None,
    groups: dict[int, int] | None = None,
) -> list[FactRow]:
    """Received dossiers whose latest state the national portal has (app.sync.queries), always
    counted from the records: a delivery changes it without touching the dossier."""
    from app.sync.queries import national_synced_clause

    return _read_from_records("synced", national_synced_clause(), Dossier.received_at, "intake",
                              basis, spans, units, procedure, all_units, groups)  # fmt: skip


def _read_from_records(
    name: str,
    clause: Any,
    column: Any,
    family: str,
    basis: str,
    spans: Sequence[Span],
    units: Iterable[int] | None,
    procedure: str | None,
    all_units: Sequence[int] | None,
    groups: dict[int, int] | None,
) -> list[FactRow]:
    """Dossiers meeting `clause` among those of `column` in the spans, per unit, procedure version
    and bucket (`name` is the counter)."""
    if not spans:
        return []
    bucket_sql, varies = bucket_of(column, spans)
    grp: Any = null()
    if basis == "leg":
        legs = leg_groups(groups)
        unit: Any = Dossier.receiving_unit_id
        grp = legs.c.grp
        statement = select().select_from(Dossier).join(legs, legs.c.dossier_id == Dossier.id)
        units = None
    else:
        unit = dossier_unit(basis)
        statement = select().select_from(Dossier)
    where = [column.is_not(None), spans_condition(column, spans), *_index_driver(family, all_units)]
    if units is not None:
        where.append(unit.in_(sorted(set(units))))
    if procedure:
        where.append(Dossier.procedure_code == procedure)
    keys = [unit, Dossier.procedure_code, Dossier.procedure_version, *([grp] if basis == "leg" else [])]
    statement = (
        statement.add_columns(
            unit.label("unit_id"),
            Dossier.procedure_code,
            Dossier.procedure_version,
            bucket_sql.label("bucket"),
            grp.label("grp"),
            _count(clause).label("counted"),
        )
        .where(*where)
        .group_by(*keys, *([bucket_sql] if varies else []))
    )
    return [
        FactRow(
            name,
            r.unit_id,
            r.procedure_code,
            r.procedure_version,
            r.bucket,
            {name: r.counted or 0},
            r.grp,
        )
        for r in db.session.execute(statement)
    ]
