"""Targets are data with their own periods and sources, and labels follow the administrative
structure of the period shown: no district level, card or target where the period has none."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.indicators import targets
from app.indicators.queries import levels_between
from app.org.structure import Structure
from tests.indicators.conftest import COMMUNE, PERIOD
from tests.web import sign_in

TWO_ERAS = "province,district,commune;2025-07-01:province,commune"
SPAN = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}


@pytest.fixture
def two_eras(app, monkeypatch):
    """The structure a province runs today: three tiers until 30 Jun 2025, two since."""
    monkeypatch.setitem(app.config, "ORG_PERIODS", TWO_ERAS)


def test_the_target_of_a_period_is_the_one_in_force_on_its_last_day():
    plan = targets.target_for("online_share", None, date(2025, 1, 1), date(2025, 6, 30))
    assert (plan.value, plan.valid_from, plan.confirmed) == (0.5, date(2019, 1, 1), False)
    current = targets.target_for("online_share", None, date(2026, 11, 1), date(2026, 11, 30))
    assert (current.value, current.valid_from, current.confirmed) == (0.8, date(2026, 1, 1), True)
    assert "71/NQ-CP" in current.source("vi") and "71/NQ-CP" in current.source("en")
    # a period across the change is judged by the target in force at its end
    assert targets.value("satisfaction_rate", None, date(2025, 12, 1), date(2026, 1, 31)) == 0.95
    assert targets.value("online_share", None, date(2031, 1, 1), date(2031, 1, 31)) is None


def test_the_plan_sets_95_85_65_by_level_until_2025():
    span = (date(2024, 1, 1), date(2024, 12, 31))
    assert [targets.value("fully_online", lv, *span) for lv in ("province", "district", "commune")] == [
        0.95,
        0.85,
        0.65,
    ]


def test_no_district_target_where_the_period_has_no_district(two_eras):
    assert targets.value("fully_online", "district", date(2025, 6, 1), date(2025, 6, 30)) == 0.85
    assert targets.value("fully_online", "district", date(2025, 8, 1), date(2025, 8, 31)) is None
    assert levels_between(date(2025, 8, 1), date(2025, 8, 31)) == ["province", "commune"]
    assert levels_between(date(2025, 6, 1), date(2025, 7, 31)) == ["province", "district", "commune"]
    shown = targets.targets_in(date(2026, 11, 1), date(2026, 11, 30))
    assert all(t.level != "district" for t in shown)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("- {metric: speed, value: 0.5, valid_from: 2020-01-01, source: x, confirmed: true}", "metric"),
        ("- {metric: online_share, value: 1.5, valid_from: 2020-01-01, source: x, confirmed: true}", "value"),
        ("- {metric: online_share, value: 0.5, source: x, confirmed: true}", "valid_from"),
        (
            "- {metric: online_share, level: galaxy, value: 0.5, valid_from: 2020-01-01, source: x, "
            "confirmed: true}",
            "level",
        ),
        ("- {metric: online_share, value: 0.5, valid_from: 2020-01-01, source: x}", "confirmed"),
        (
            "- {metric: online_share, value: 0.5, valid_from: 2020-01-01, source: x, confirmed: true}\n"
            "- {metric: online_share, value: 0.6, valid_from: 2021-01-01, source: y, confirmed: true}",
            "overlap",
        ),
    ],
)  # fmt: skip
def test_a_bad_targets_file_is_refused_naming_the_problem(text, named):
    with pytest.raises(targets.TargetsError) as refused:
        targets.parse_targets(text, Structure.parse(TWO_ERAS))
    assert named in str(refused.value)


def test_the_shipped_file_is_valid_for_both_structures():
    text = targets.DEFAULT_FILE.read_text(encoding="utf-8")
    for structure in (TWO_ERAS, "province,district,commune", "province,commune"):
        assert targets.parse_targets(text, Structure.parse(structure))


def test_the_dashboard_names_each_target_with_its_source_and_start(dataset, client, two_eras):
    sign_in(client, "giamsat.tinh")
    html = client.get("/stats", query_string={**SPAN, "unit": COMMUNE}).get_data(as_text=True)
    section = re.search(r'<ul class="st-targets" id="st-targets">(.*?)</ul>', html, re.S).group(1)
    online = re.search(r'<li data-target="online_share">(.*?)</li>', section, re.S).group(1)
    assert "80\u00a0%" in online and "71/NQ-CP" in online and "01/01/2026" in online  # app.core.numbers
    satisfaction = re.search(r'<li data-target="satisfaction_rate">(.*?)</li>', section, re.S).group(1)
    assert "Chưa đối chiếu" in satisfaction  # Resolution 76's figure could not be checked
    card = re.search(r'data-card="online_share">(.*?)</li>', html, re.S).group(1)
    assert "71/NQ-CP" in card and "từ 01/01/2026" in card
    # two tiers since 1 Jul 2025: no district level anywhere on the page
    assert "Cấp huyện" not in html and 'value="district"' not in html
    assert 'data-target="fully_online.commune"' in section and "fully_online.district" not in section


def test_a_level_the_period_has_not_is_refused(client, two_eras):
    sign_in(client, "giamsat.tinh")
    response = client.get("/stats", query_string={**SPAN, "level": "district"})
    assert response.status_code == 422 and "level" in response.get_data(as_text=True)
    before = client.get(
        "/stats", query_string={"from": "2025-06-01", "to": "2025-06-30", "level": "district"}
    )
    assert before.status_code == 200
    html = before.get_data(as_text=True)
    assert 'value="district"' in html and 'data-target="fully_online.district"' in html
