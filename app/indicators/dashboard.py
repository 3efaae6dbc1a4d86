"""What the supervisor dashboard looks at: a resolved scope (View) and the engine's
figures for it, the period choices, and the dossiers behind a number. One call of each engine function
per view; no per-row queries. Wording and colours are in presenters.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from flask_babel import gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.core.db import utcnow
from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.indicators import metrics
from app.indicators.attribution import DEFAULT_STRUCTURE
from app.indicators.facts import DEFAULT_BASIS
from app.indicators.presenters import dossier_row
from app.org.models import Unit

PAGE_SIZE = 50
_UNITS = (
    selectinload(Dossier.current_unit),
    selectinload(Dossier.receiving_unit),
    selectinload(Dossier.competent_unit),
)
EXPORT_LIMIT = 100_000
TREND_MONTHS = 12


# --- Periods -------------------------------------------------------------------------------------


def local_today() -> date:
    return to_local(utcnow()).date()


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return date.fromordinal(_month_start(day, -1).toordinal() - 1)


def quick_periods(today: date | None = None) -> list[tuple[str, date, date]]:
    """(label, from, to) of the picker's quick choices: this month, last month, this quarter, this year."""
    today = today or local_today()
    last_month = _month_start(today, 1)
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [
        (gettext("Tháng này"), _month_start(today), _month_end(today)),
        (gettext("Tháng trước"), last_month, _month_end(last_month)),
        (gettext("Quý này"), quarter, _month_end(_month_start(quarter, -2))),
        (gettext("Năm nay"), date(today.year, 1, 1), date(today.year, 12, 31)),
    ]


def trend_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The trend covers the last TREND_MONTHS months up to the period's end, or the whole period if longer."""
    return min(_month_start(date_to, TREND_MONTHS - 1), _month_start(date_from)), date_to


# --- Views ---------------------------------------------------------------------------------------


@dataclass
class View:
    """A resolved request: the scope (queries.IndicatorScope) plus what the page is looking at."""

    scope: Any
    now: datetime | None = None

    @property
    def unit_id(self) -> int | None:
        return self.scope.unit.id if self.scope.unit else None

    @cached_property
    def ctx(self) -> metrics.Context:
        """One reading for the whole page: units, rollup plan and "now" loaded once."""
        s = self.scope
        ctx = metrics.context(s.basis, s.structure, self.now)
        start, _ = trend_period(s.date_from, s.date_to)
        ctx.prepare(min(start, s.date_from), s.date_to)
        return ctx

    @property
    def reading(self) -> dict:
        return {"ctx": self.ctx}

    def params(self, **changes: Any) -> dict[str, str]:
        """Query-string parameters of this view (every view is a link), with `changes` applied."""
        s = self.scope
        values = {
            "unit": s.unit.code if s.unit else None,
            "level": s.level,
            "procedure": s.procedure,
            "from": s.date_from.isoformat(),
            "to": s.date_to.isoformat(),
            "basis": None if s.basis == DEFAULT_BASIS else s.basis,
            "structure": None if s.structure == DEFAULT_STRUCTURE else s.structure,
            **changes,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def target_level(self) -> str | None:
        """The level whose fully-online target applies: the chosen level, else the unit's."""
        return self.scope.level or (self.scope.unit.level if self.scope.unit else None)

    @cached_property
    def children(self) -> list[Unit]:
        """The units of the ranking: sub-units of the period and the old units whose work the scope
        unit took, or the current sub-units when restated (the tree's roots for the whole province)."""
        s = self.scope
        return self.ctx.tree.rows(self.unit_id, s.structure, s.date_from, s.date_to)

    @property
    def has_successions(self) -> bool:
        """Whether any unit was merged or split (then the page offers both readings)."""
        return self.ctx.tree.has_successions

    @cached_property
    def _unit_and_children(self) -> tuple[dict, list[dict]]:
        """The scope unit's indicators and its ranking rows from one pass (metrics.unit_overview);
        for the whole province the tree's roots stand in for the province's children."""
        s = self.scope
        return metrics.unit_overview(self.unit_id, s.procedure, s.date_from, s.date_to, **self.reading)

    def overview(self) -> dict:
        s = self.scope
        if s.level is None:
            return self._unit_and_children[0]
        return metrics.compute_indicators(
            self.unit_id, s.level, s.procedure, s.date_from, s.date_to, **self.reading
        )

    def by_unit(self) -> list[dict]:
        return self._unit_and_children[1]

    def by_procedure(self) -> list[dict]:
        s = self.scope
        rows = metrics.indicators_by_procedure(self.unit_id, s.level, s.date_from, s.date_to, **self.reading)
        return [r for r in rows if not s.procedure or r["procedure"]["code"] == s.procedure]

    def trend(self) -> list[dict]:
        s = self.scope
        start, end = trend_period(s.date_from, s.date_to)
        return metrics.monthly_trend(self.unit_id, s.level, s.procedure, start, end, **self.reading)

    def dossiers(self, metric: str) -> Select:
        s = self.scope
        return metrics.dossiers_behind(
            metric, self.unit_id, s.level, s.procedure, s.date_from, s.date_to, **self.reading
        )


def breadcrumbs(root: Unit | None, unit: Unit | None) -> list[Unit]:
    """The units from the viewer's own unit (root) down to the one shown (both included)."""
    chain: list[Unit] = []
    node = unit
    while node is not None:
        chain.append(node)
        if root is not None and node.id == root.id:
            break
        node = node.parent
    return list(reversed(chain))


def dossier_page(view: View, metric: str, page: int) -> dict:
    """One page of the dossiers behind a metric's numerator, with the units eager-loaded."""
    statement = view.dossiers(metric)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(
        statement.options(*_UNITS)
        .order_by(None)
        .order_by(Dossier.received_at.desc().nulls_last(), Dossier.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return {"rows": [dossier_row(d) for d in rows], "total": total, "page": page, "pages": pages}


def all_dossiers(view: View, metric: str) -> list[dict]:
    """Every dossier behind a metric, for exports (at most EXPORT_LIMIT rows)."""
    statement = view.dossiers(metric).options(*_UNITS)
    ordered = statement.order_by(None).order_by(Dossier.received_at.desc().nulls_last(), Dossier.id.desc())
    return [dossier_row(x) for x in db.session.scalars(ordered.limit(EXPORT_LIMIT))]
