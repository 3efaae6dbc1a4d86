"""Fixtures for alert tests: a hand-set clock, jobs run in this process, leaders with unique addresses."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from app.core.time import VN_TZ

COMMUNE = "000.21.30.H01"  # Cần Đăng commune: receives and signs a birth registration
OTHER_UNIT = "000.04.30.H01"  # the district land registry


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


class Clock:
    def __init__(self, monkeypatch) -> None:
        self.now = vn("2026-12-07 06:00")
        for module in (
            "app.workflow.engine",
            "app.dossiers.services",
            "app.alerts.jobs",
            "app.alerts.queries",
        ):
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)

    def at(self, text: str) -> Clock:
        self.now = vn(text)
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


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
