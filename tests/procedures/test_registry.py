"""A dossier keeps the procedure version that applied when it was received: the registry picks, for a
date, the highest version already in effect."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.errors import NotFoundError
from app.procedures.loader import load_registry
from tests.procedures.support import LEVELS, SHIPPED


@pytest.fixture
def registry(procedure_data, write_yaml, workflow_dir):
    write_yaml("v1.yaml", procedure_data)
    write_yaml("v2.yaml", {**procedure_data, "version": 2, "effective_from": date(2026, 1, 1)})
    write_yaml("v3.yaml", {**procedure_data, "version": 3, "effective_from": date(2027, 7, 1)})
    write_yaml("other.yaml", {**procedure_data, "code": "2.000002", "effective_from": date(2026, 6, 1)})
    return load_registry(workflow_dir, LEVELS)


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (date(2025, 1, 1), 1),  # the day version 1 takes effect
        (date(2025, 12, 31), 1),
        (date(2026, 1, 1), 2),  # version 2 replaces it from its effective date
        (date(2027, 6, 30), 2),
        (date(2027, 7, 1), 3),
        (date(2030, 1, 1), 3),
    ],
)
def test_current_is_the_highest_version_in_effect(registry, on, version):
    assert registry.current("1.000001", on).version == version


def test_no_version_in_effect_yet_is_not_found(registry):
    with pytest.raises(NotFoundError):
        registry.current("1.000001", date(2024, 12, 31))


def test_unknown_code_is_not_found(registry):
    with pytest.raises(NotFoundError):
        registry.current("9.999999", date(2026, 1, 1))


def test_get_returns_an_exact_version_whatever_the_date(registry):
    assert registry.get("1.000001", 1).effective_from == date(2025, 1, 1)
    with pytest.raises(NotFoundError):
        registry.get("1.000001", 4)


def test_list_current_has_one_version_per_procedure_in_effect(registry):
    assert [(p.code, p.version) for p in registry.list_current(date(2026, 3, 1))] == [("1.000001", 2)]
    assert [(p.code, p.version) for p in registry.list_current(date(2026, 6, 1))] == [
        ("1.000001", 2),
        ("2.000002", 1),
    ]


def test_all_lists_every_version(registry):
    assert [(p.code, p.version) for p in registry.all()] == [
        ("1.000001", 1),
        ("1.000001", 2),
        ("1.000001", 3),
        ("2.000002", 1),
    ]


def test_shipped_procedures_are_all_in_effect_today():
    registry = load_registry(SHIPPED, LEVELS)

    assert len(registry.list_current()) == 6
