"""Breakdowns of the known dataset (see conftest): per child unit, per procedure, per month, and the
dossiers behind each numerator. Each must equal what compute_indicators says for the same scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.errors import ValidationError
from app.extensions import db
from app.indicators.metrics import (
    DRILLABLE_METRICS,
    compute_indicators,
    dossiers_behind,
    indicators_by_procedure,
    indicators_by_unit,
    monthly_trend,
    months_of,
)
from app.org.queries import get_unit_by_code
from tests.indicators.conftest import COMMUNE, PERIOD
from tests.indicators.test_metrics import EXPECTED, pairs
from tests.notifications.support import BIRTH

DISTRICT = "000.00.30.H01"  # UBND huyện Châu Thành, above xã Cần Đăng


def _without_processing_time(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k != "processing_time"}


def test_child_units_add_up_to_their_parent(dataset):
    district = get_unit_by_code(DISTRICT)
    rows = indicators_by_unit(district.id, None, *PERIOD)
    by_code = {row["unit"]["code"]: row["metrics"] for row in rows}
    assert COMMUNE in by_code
    assert pairs(by_code[COMMUNE]) == EXPECTED
    assert by_code[COMMUNE] == compute_indicators(get_unit_by_code(COMMUNE).id, None, None, *PERIOD)
    others = [m for code, m in by_code.items() if code != COMMUNE]
    assert others and all(m["received"]["denominator"] == 0 for m in others)
    assert all(m["in_progress_overdue"]["denominator"] == 0 for m in others)


def test_province_ranking_row_of_the_district_is_the_district(dataset):
    province = get_unit_by_code(DISTRICT).parent
    rows = {row["unit"]["code"]: row for row in indicators_by_unit(province.id, None, *PERIOD)}
    district_row = rows[DISTRICT]
    assert district_row["unit"]["level"] == "district"
    assert district_row["metrics"] == compute_indicators(get_unit_by_code(DISTRICT).id, None, None, *PERIOD)
    assert sum(r["metrics"]["received"]["numerator"] for r in rows.values()) == 6


def test_per_procedure_rows(dataset):
    rows = {row["procedure"]["code"]: row for row in indicators_by_procedure(None, None, *PERIOD)}
    assert pairs(rows[BIRTH]["metrics"]) == EXPECTED
    assert rows[BIRTH]["procedure"]["name"]
    assert all(r["metrics"]["received"]["denominator"] == 0 for code, r in rows.items() if code != BIRTH)
    assert rows[BIRTH]["metrics"]["processing_time"]["p90_days"] == 1.25


def test_monthly_trend_splits_the_period_by_local_month(dataset):
    unit = get_unit_by_code(COMMUNE)
    trend = monthly_trend(unit.id, None, None, *PERIOD)
    assert [(t["month"], t["date_from"], t["date_to"]) for t in trend] == [
        ("2026-11", date(2026, 11, 20), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 6)),
    ]
    november, december = (t["metrics"] for t in trend)
    # received: D1, D2, D4, D7 in November; D3, D6 in December (accepted Tue 1 Dec, local time)
    assert (november["received"]["numerator"], december["received"]["numerator"]) == (4, 2)
    assert (november["received_counter"]["numerator"], december["received_counter"]["numerator"]) == (0, 1)
    # completed: D1 on time and D7 early in November; D2 late on Tue 1 Dec
    assert (november["on_time_rate"]["numerator"], november["on_time_rate"]["denominator"]) == (2, 2)
    assert (december["completed_late"]["numerator"], december["completed_late"]["denominator"]) == (1, 1)
    assert november["satisfaction_rate"]["denominator"] + december["satisfaction_rate"]["denominator"] == 2
    assert "in_progress_overdue" not in november  # a snapshot of now has no month
    assert november["processing_time"]["p90_days"] is None  # per period, not per month
    assert november["processing_time"]["average_days"] == (0.5 + 0.0625) / 2
    for row in trend:  # each month equals the indicators of that month alone
        alone = compute_indicators(unit.id, None, None, row["date_from"], row["date_to"])
        alone["processing_time"]["p90_days"] = None
        assert row["metrics"] == {k: v for k, v in alone.items() if not k.startswith("in_progress")} | {
            "score": row["metrics"]["score"]
        }


def test_months_of_a_period_across_a_year_end():
    assert [m for m, _, _ in months_of(date(2026, 11, 15), date(2027, 2, 1))] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


@pytest.mark.parametrize("metric", DRILLABLE_METRICS)
def test_dossiers_behind_every_numerator(dataset, metric):
    unit = get_unit_by_code(COMMUNE)
    statement = dossiers_behind(metric, unit.id, None, None, *PERIOD)
    listed = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    assert listed == compute_indicators(unit.id, None, None, *PERIOD)[metric]["numerator"]


@pytest.mark.parametrize(
    ("metric", "which"),
    [
        ("completed_late", {"d2"}),
        ("completed_early", {"d7"}),
        ("in_progress_overdue", {"d4"}),
        ("in_progress_near_due", {"d3"}),
        ("received_counter", {"d3"}),
        ("reused_documents", {"d4"}),
    ],
)
def test_dossiers_behind_are_the_right_ones(dataset, metric, which):
    statement = dossiers_behind(metric, None, None, None, *PERIOD)
    codes = set(db.session.scalars(statement.with_only_columns(statement.selected_columns.code)))
    assert codes == {dataset[name].code for name in which}


def test_an_unknown_metric_has_no_list(dataset):
    with pytest.raises(ValidationError) as caught:
        dossiers_behind("score", None, None, None, *PERIOD)
    assert "score" in caught.value.details["metric"]


def test_unit_overview_is_the_unit_and_its_ranking_in_one_pass(dataset):
    from app.indicators.metrics import unit_overview

    district = get_unit_by_code(DISTRICT)
    total, rows = unit_overview(district.id, None, *PERIOD)
    assert total == compute_indicators(district.id, None, None, *PERIOD)
    assert rows == indicators_by_unit(district.id, None, *PERIOD)
    whole, top = unit_overview(None, None, *PERIOD)
    assert pairs(whole) == EXPECTED
    assert [row["unit"]["level"] for row in top] == ["province"]
