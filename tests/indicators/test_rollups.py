"""The daily rollup is a copy the engine reads for past days no dossier has changed since: the
figures are those counted from the records, before and after a change made after the refresh."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.indicators import metrics
from app.indicators.models import IndicatorDailyFact
from app.indicators.rollups import plan_for, refresh_rollups
from app.org.queries import get_unit_by_code
from app.ratings.services import rate_dossier
from tests.indicators.conftest import COMMUNE, PERIOD

DISTRICT = "000.00.30.H01"
READINGS = [("competent", "as_was"), ("received", "as_was"), ("leg", "as_was"), ("competent", "restated")]


@pytest.fixture
def rolled(dataset, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "INDICATOR_DIRTY_MARGIN_SECONDS", 0)  # no transaction is left open here
    done = refresh_rollups(now=clock.now, snapshot=False)  # inside the test's own transaction
    assert done.rebuilt and done.through_day == date(2026, 11, 30) and done.rows > 0
    return done


def everything(unit_code: str | None, basis: str, structure: str) -> dict:
    unit = get_unit_by_code(unit_code).id if unit_code else None
    reading = {"basis": basis, "structure": structure}
    return {
        "overview": metrics.unit_overview(unit, None, *PERIOD, **reading),
        "procedures": metrics.indicators_by_procedure(unit, None, *PERIOD, **reading),
        "trend": metrics.monthly_trend(unit, None, None, date(2026, 1, 1), PERIOD[1], **reading),
    }


def counted_from_records(app, monkeypatch, *args) -> dict:
    monkeypatch.setitem(app.config, "INDICATOR_ROLLUPS", False)
    try:
        return everything(*args)
    finally:
        monkeypatch.setitem(app.config, "INDICATOR_ROLLUPS", True)


@pytest.mark.parametrize(("basis", "structure"), READINGS)
@pytest.mark.parametrize("unit", [COMMUNE, DISTRICT, None])
def test_rollup_and_records_give_the_same_figures(rolled, app, monkeypatch, unit, basis, structure):
    plan = plan_for(*PERIOD)
    assert plan.through == date(2026, 11, 30)
    assert plan.corrections("intake", basis if basis != "leg" else "competent", None, None) == []
    assert everything(unit, basis, structure) == counted_from_records(
        app, monkeypatch, unit, basis, structure
    )


def test_past_days_are_read_from_the_rollup(rolled):
    unit = get_unit_by_code(COMMUNE).id
    before = metrics.compute_indicators(unit, None, None, *PERIOD)["received"]["numerator"]
    row = IndicatorDailyFact
    db.session.execute(
        update(row)
        .where(row.family == "intake", row.basis == "competent", row.day == date(2026, 11, 25))
        .values(received=row.received + 100)
    )
    assert metrics.compute_indicators(unit, None, None, *PERIOD)["received"]["numerator"] == before + 100


def test_a_change_after_the_refresh_is_counted_at_once(rolled, dataset, app, monkeypatch, clock):
    unit = get_unit_by_code(COMMUNE).id
    assert metrics.compute_indicators(unit, None, None, *PERIOD)["satisfaction_rate"]["numerator"] == 1
    answers = {"comment": "", "time_vs_statutory": "late", "contacts": "twice", "conduct": "poor"}
    rate_dossier(dataset["d1"], dataset["citizen"], {**answers, "overall": 1})  # D1 completed on 25 Nov
    (correction,) = plan_for(*PERIOD).corrections("completion", "competent", None, None)
    assert (correction.bucket, correction.counts["satisfied"], correction.counts["ratings"]) == (
        date(2026, 11, 25),
        -1,
        0,
    )  # D1 (completed 25 Nov) now unsatisfied: one satisfied less, as many ratings
    now = metrics.compute_indicators(unit, None, None, *PERIOD)
    assert now["satisfaction_rate"]["numerator"] == 0
    assert everything(COMMUNE, "competent", "as_was") == counted_from_records(
        app, monkeypatch, COMMUNE, "competent", "as_was"
    )
    again = refresh_rollups(now=clock.now, snapshot=False)  # counts the changed days again only
    assert not again.rebuilt and again.days >= 1 and again.dossiers == 1
    assert plan_for(*PERIOD).corrections("completion", "competent", None, None) == []
    assert metrics.compute_indicators(unit, None, None, *PERIOD)["satisfaction_rate"]["numerator"] == 0
    stored = db.session.scalar(
        select(func.sum(IndicatorDailyFact.satisfied)).where(
            IndicatorDailyFact.family == "completion", IndicatorDailyFact.basis == "competent"
        )
    )
    assert stored == 0


def test_a_dossier_attributed_elsewhere_after_the_refresh(rolled, dataset, app, monkeypatch):
    """The competent unit named after the refresh: the old unit loses it, the new one has it."""
    other = get_unit_by_code("000.22.30.H01")
    d4 = dataset["d4"]  # received 25 Nov, still open
    d4.competent_unit_id = other.id
    db.session.flush()
    moved = metrics.compute_indicators(other.id, None, None, *PERIOD)
    assert (moved["received"]["numerator"], moved["in_progress_overdue"]["numerator"]) == (1, 1)
    for unit in (COMMUNE, "000.22.30.H01", DISTRICT):
        assert everything(unit, "competent", "as_was") == counted_from_records(
            app, monkeypatch, unit, "competent", "as_was"
        )


def test_without_a_rollup_every_day_is_counted_from_the_records(dataset):
    assert plan_for(*PERIOD) is None
