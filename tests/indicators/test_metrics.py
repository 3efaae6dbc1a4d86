"""Every indicator of the known dataset (see conftest), numerator and denominator, by hand."""

from __future__ import annotations

import pytest

from app.indicators.metrics import NO_PAYMENT_DATA, NO_TRANSPARENCY, compute_indicators
from app.org.queries import get_unit_by_code
from tests.indicators.conftest import COMMUNE, PERIOD

EXPECTED = {
    "received": (6, 6),
    "received_online": (5, 6),
    "received_counter": (1, 6),
    "received_postal": (0, 6),
    "online_share": (5, 6),
    "completed_early": (1, 3),
    "completed_on_time": (1, 3),
    "completed_late": (1, 3),
    "on_time_rate": (2, 3),
    "in_progress_overdue": (1, 3),
    "in_progress_near_due": (1, 3),
    "fully_online": (5, 6),
    "satisfaction_rate": (1, 2),
    "satisfaction_time_ok": (1, 2),
    "satisfaction_contacts_once": (1, 2),
    "satisfaction_conduct_good": (1, 2),
    "online_payment_share": (None, 0),
    "digitised_inputs": (6, 6),
    "electronic_results": (2, 3),
    "reused_documents": (1, 6),
}


def pairs(metrics: dict) -> dict:
    return {key: (metrics[key]["numerator"], metrics[key]["denominator"]) for key in EXPECTED}


def commune_indicators(**kwargs):
    unit = get_unit_by_code(kwargs.pop("unit", COMMUNE))
    args = {"level": None, "procedure": None, **kwargs}
    return compute_indicators(unit.id, args["level"], args["procedure"], *PERIOD)


def test_every_metric_of_the_known_dataset(dataset):
    metrics = commune_indicators()
    assert pairs(metrics) == EXPECTED
    assert metrics["online_share"]["target"] == 0.5
    assert metrics["satisfaction_rate"]["target"] == 0.9
    assert metrics["on_time_rate"]["rate"] == pytest.approx(2 / 3)
    assert metrics["online_payment_share"]["rate"] is None
    assert metrics["online_payment_share"]["note"] == NO_PAYMENT_DATA
    # national sync is not configured in these tests (tests/sync/test_synced_indicator.py has it on)
    assert metrics["national_synced"] == {
        "numerator": None,
        "denominator": 6,
        "rate": None,
        "target": None,
        "note": NO_TRANSPARENCY,
    }
    assert metrics["fully_online_by_level"] == {
        "commune": {"numerator": 5, "denominator": 6, "rate": pytest.approx(5 / 6), "target": 0.65}
    }
    assert metrics["processing_time"] == {
        "count": 3,
        "average_days": pytest.approx((0.5 + 1.25 + 0.0625) / 3),
        "p90_days": 1.25,
        "statutory_average_days": 1.0,
    }


def test_dataset_records_are_what_the_metrics_assume(dataset):
    d1, d2, d7 = dataset["d1"], dataset["d2"], dataset["d7"]
    assert (d1.outcome, d2.outcome, d7.outcome) == ("on_time", "late", "early")
    assert d2.paused_minutes == 420 and d2.is_extended


def test_decision_766_score_shows_points_and_inputs(dataset):
    score = commune_indicators()["score"]
    assert score["progress"] == {"points": 13.33, "max": 20, "inputs": ["on_time_rate"]}
    assert score["online"]["points"] == 12  # 5/6 against a 50% target: capped
    assert score["payment"] == {
        "points": None,
        "max": 10,
        "inputs": ["online_payment_share"],
        "note": NO_PAYMENT_DATA,
    }
    assert score["satisfaction"]["points"] == 9
    assert score["digitisation"]["points"] == round((1 + 2 / 3 + 1 / 6) / 3 * 22, 2)
    assert score["transparency"]["points"] is None and score["transparency"]["note"] == NO_TRANSPARENCY
    assert score["total"] == {"points": 47.77, "max": 72, "max_possible": 100}


def test_scope_follows_the_subtree_level_and_procedure(dataset):
    district = commune_indicators(unit="000.00.30.H01")
    assert pairs(district) == EXPECTED  # the commune is under the district People's Committee
    assert commune_indicators(unit="000.00.02.H01")["received"]["denominator"] == 0
    assert commune_indicators(level="district")["received"]["denominator"] == 0
    assert commune_indicators(procedure="9.999999")["completed_late"]["denominator"] == 0


def test_whole_province_without_a_unit(dataset):
    assert pairs(compute_indicators(None, None, None, *PERIOD)) == EXPECTED
