"""Fixtures for alert tests: a hand-set clock, jobs run in this process, leaders with unique addresses."""

from __future__ import annotations

import uuid

import pytest

from tests.clock import Clock, vn  # noqa: F401

COMMUNE = "000.21.30.H01"  # Cần Đăng commune: receives and signs a birth registration
OTHER_UNIT = "000.04.30.H01"  # the district land registry


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-07 06:00", "app.alerts.jobs", "app.alerts.queries")


@pytest.fixture
def in_process_jobs(app, monkeypatch):
    """Jobs (the e-mails) run right after commit in this process, so counts are deterministic."""
    monkeypatch.delitem(app.extensions, "redis")


@pytest.fixture
def leader(make_user):
    return make_user("leader", unit=COMMUNE, email=f"ld-{uuid.uuid4().hex[:10]}@example.vn")


@pytest.fixture
def other_leader(make_user):
    return make_user("leader", unit=OTHER_UNIT, email=f"ld-{uuid.uuid4().hex[:10]}@example.vn")
