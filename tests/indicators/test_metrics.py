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
    "fully_online": (6, 6),  # five filed online, D3 scanned at the counter
    "satisfaction_rate": (1, 2),
    "satisfaction_time_ok": (1, 2),
    "satisfaction_contacts_once": (1, 2),
    "satisfaction_conduct_good": (1, 2),
    "online_payment_share": (None, 0),
    "digitised_inputs": (1, 6),  # only D3 (counter scans): citizens' own uploads are not digitised
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
    # the targets in force on the period's last day (6 Dec 2026): the 2030 ones (targets.yaml)
    assert metrics["online_share"]["target"] == 0.8
    assert metrics["satisfaction_rate"]["target"] == 0.95
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
        "commune": {"numerator": 6, "denominator": 6, "rate": 1.0, "target": 1.0}
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


def components(metrics: dict) -> dict:
    return {c["key"]: c for c in metrics["score"]["components"]}


def test_decision_766_scores_each_component_out_of_100(dataset):
    score = commune_indicators()["score"]
    parts = components(commune_indicators())
    assert parts["on_time"]["points"] == 13.33  # 2/3 of 20
    assert (parts["dossiers_online"]["numerator"], parts["dossiers_online"]["denominator"]) == (5, 6)
    assert parts["dossiers_online"]["points"] == 5.0  # 5/6 of 6: no invented 50 % cap
    assert (parts["procedures_online"]["numerator"], parts["procedures_online"]["points"]) == (1, 2.0)
    assert parts["rating"]["points"] == 3.0  # ratings weigh 6, not 18
    assert parts["electronic_results"]["points"] == 4.0  # 2/3 of 6
    assert parts["digitised_inputs"]["points"] == round(1 / 6 * 4, 2)
    assert parts["reused"]["points"] == round(1 / 6 * 2, 2)
    # no source here: shown, never scaled into the others
    for key in ("published_on_time", "updates_on_time", "content_complete"):
        assert parts[key]["origin"] == "external" and parts[key]["points"] is None
    for key in ("national_synced", "paid_online", "results_to_data_store", "population_data_1"):
        assert parts[key]["origin"] == "missing" and parts[key]["points"] is None
    assert parts["national_synced"]["weight"] == 6 and parts["national_synced"]["note"] == NO_TRANSPARENCY
    assert parts["paid_online"]["note"] == NO_PAYMENT_DATA
    assert parts["petitions_on_time"]["denominator"] == 0 and parts["petitions_on_time"]["points"] is None
    assert score["groups"]["transparency"] == {"points": None, "max": 18, "counted": 0}
    assert score["groups"]["digitisation"]["max"] == 22
    expected = 13.33 + 2 + 5 + 3 + 4 + round(4 / 6, 2) + round(2 / 6, 2)
    assert score["total"] == {
        "points": pytest.approx(expected),
        "max": 100,
        "counted": 20 + 12 + 6 + 6 + 4 + 2,
    }


def test_scope_follows_the_subtree_level_and_procedure(dataset):
    district = commune_indicators(unit="000.00.30.H01")
    assert pairs(district) == EXPECTED  # the commune is under the district People's Committee
    assert commune_indicators(unit="000.00.02.H01")["received"]["denominator"] == 0
    assert commune_indicators(level="district")["received"]["denominator"] == 0
    assert commune_indicators(procedure="9.999999")["completed_late"]["denominator"] == 0


def test_whole_province_without_a_unit(dataset):
    assert pairs(compute_indicators(None, None, None, *PERIOD)) == EXPECTED
