"""Reads of petitions: by code or id, the officers' queue, the public answers, a citizen's own, and
the Decision 766 group 5 facts the indicators score.

Group 5 facts, per set of units (the unit holding the petition: the one that answered it) and
period [start, end):

- `due`: petitions answered in the period, plus those whose deadline fell in the period (before
  `now`) and that were still unanswered at its end; `on_time`: those answered in the period no later
  than their deadline. So an unanswered petition counts against its unit in the period it fell due,
  and an answer counts once, in the period it was given.
- `rated`, `satisfied`: answers given in the period that their petitioner rated, and those rated
  SATISFIED_FROM or better (4 "hài lòng", 5 "rất hài lòng", the dossier ratings' scale).
- `open_overdue`: unanswered and past their deadline at the end of the period (or now), whatever
  period they fell due in; shown beside the ratio, as open overdue dossiers are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.core.db import utcnow
from app.core.errors import NotFoundError
from app.extensions import db
from app.petitions.models import Petition
from app.procedures.queries import search_words
from app.ratings.models import SATISFIED_FROM

PAGE_SIZE = 25
QUEUE_VIEWS = ("open", "answered")


def find_petition_by_code(code: str) -> Petition | None:
    wanted = (code or "").strip().upper()[:20]
    return db.session.scalar(select(Petition).where(Petition.code == wanted)) if wanted else None


def get_petition_by_code(code: str) -> Petition:
    petition = find_petition_by_code(code)
    if petition is None:
        raise NotFoundError("Không tìm thấy phản ánh, kiến nghị này")
    return petition


def get_petition(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise NotFoundError("Không tìm thấy phản ánh, kiến nghị này")
    return petition


@dataclass(frozen=True)
class Page:
    items: list[Petition]
    page: int
    has_next: bool


def _page(query: Select, page: int, size: int = PAGE_SIZE) -> Page:
    page = max(1, page)
    rows = list(db.session.scalars(query.offset((page - 1) * size).limit(size + 1)))
    return Page(rows[:size], page, len(rows) > size)


def list_queue(unit_id: int, view: str = "open", page: int = 1) -> Page:
    """A unit's petitions: open ones by deadline (the overdue first, then the nearest deadline), or
    answered ones, newest answer first."""
    query = select(Petition).where(Petition.unit_id == unit_id).options(selectinload(Petition.dossier))
    if view == "answered":
        query = query.where(Petition.answered_at.is_not(None)).order_by(
            Petition.answered_at.desc(), Petition.id.desc()
        )
    else:
        query = query.where(Petition.answered_at.is_(None)).order_by(Petition.due_at, Petition.id)
    return _page(query, page)


def count_queue(unit_id: int, now: datetime | None = None) -> tuple[int, int]:
    """(open, of which overdue) petitions of a unit."""
    now = now or utcnow()
    open_, overdue = db.session.execute(
        select(func.count(), func.count().filter(Petition.due_at < now)).where(
            Petition.unit_id == unit_id, Petition.answered_at.is_(None)
        )
    ).one()
    return open_, overdue


def list_public(q: str = "", procedure_code: str | None = None, page: int = 1) -> Page:
    """Publicly answered petitions, newest answer first; `q` matches words of the published summary
    or answer, with or without diacritics."""
    query = select(Petition).where(Petition.is_public.is_(True), Petition.answered_at.is_not(None))
    if procedure_code:
        query = query.where(Petition.procedure_code == procedure_code)
    for word in search_words(q or "")[:8]:
        query = query.where(Petition.public_search.like(f"%{word}%"))
    query = query.options(selectinload(Petition.unit)).order_by(
        Petition.answered_at.desc(), Petition.id.desc()
    )
    return _page(query, page)


def list_mine(user_id: int, page: int = 1) -> Page:
    query = (
        select(Petition)
        .where(Petition.petitioner_id == user_id)
        .options(selectinload(Petition.unit), selectinload(Petition.dossier))
        .order_by(Petition.id.desc())
    )
    return _page(query, page)


# --- Decision 766, group 5 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Group5Facts:
    on_time: int = 0  # answered in the period by the deadline
    due: int = 0  # answered in the period + fell due in it and still unanswered at its end
    satisfied: int = 0  # rated answers of the period rated SATISFIED_FROM or better
    rated: int = 0  # answers of the period their petitioner rated
    answered: int = 0
    open_overdue: int = 0

    def __add__(self, other: Group5Facts) -> Group5Facts:
        return Group5Facts(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (self.on_time, self.due, self.satisfied, self.rated, self.answered, self.open_overdue)


def _count(condition) -> object:  # noqa: ANN001 (SQL)
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def group5_facts_by_unit(
    unit_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    *,
    procedure_code: str | None = None,
    now: datetime | None = None,
) -> dict[int, Group5Facts]:
    """Group 5 facts (see the module docstring) per unit id of `unit_ids` (None: every unit) that has
    any; for breakdowns. Two grouped statements over ix_petitions_answered and ix_petitions_queue."""
    now = now or utcnow()
    as_of = min(end, now)
    scope = [] if unit_ids is None else [Petition.unit_id.in_(sorted(set(unit_ids)))]
    if procedure_code:
        scope.append(Petition.procedure_code == procedure_code)
    in_period = and_(Petition.answered_at >= start, Petition.answered_at < end)
    answered = db.session.execute(
        select(
            Petition.unit_id,
            func.count(),
            _count(Petition.answered_at <= Petition.due_at),
            _count(Petition.rating.is_not(None)),
            _count(Petition.rating >= SATISFIED_FROM),
        )
        .where(*scope, in_period)
        .group_by(Petition.unit_id)
    ).all()
    unanswered_at_end = or_(Petition.answered_at.is_(None), Petition.answered_at >= end)
    open_rows = db.session.execute(
        select(
            Petition.unit_id,
            _count(and_(Petition.due_at >= start, Petition.due_at < as_of)),
            func.count(),
        )
        .where(*scope, unanswered_at_end, Petition.due_at < as_of, Petition.filed_at < end)
        .group_by(Petition.unit_id)
    ).all()
    facts: dict[int, Group5Facts] = {}
    for unit_id, count, on_time, rated, satisfied in answered:
        facts[unit_id] = Group5Facts(
            on_time=on_time, due=count, satisfied=satisfied, rated=rated, answered=count
        )
    for unit_id, fell_due, overdue in open_rows:
        facts[unit_id] = facts.get(unit_id, Group5Facts()) + Group5Facts(due=fell_due, open_overdue=overdue)
    return facts


def group5_facts(
    unit_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    *,
    procedure_code: str | None = None,
    now: datetime | None = None,
) -> Group5Facts:
    """Group 5 facts of a set of units (None: every unit) in [start, end): the numerators and
    denominators of "feedback and petitions handled on time" (`on_time` / `due`) and
    "petition-handling satisfaction" (`satisfied` / `rated`)."""
    total = Group5Facts()
    for facts in group5_facts_by_unit(unit_ids, start, end, procedure_code=procedure_code, now=now).values():
        total = total + facts
    return total
