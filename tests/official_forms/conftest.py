"""Fixtures for the official forms: a citizen with full contact details, a birth registration
submitted by them, a liên thông land dossier on a set clock, and jobs run in this process right
after each commit (the embedded default)."""

from __future__ import annotations

import uuid

import pytest

from tests.clock import Clock, vn  # noqa: F401
from tests.factories import act, submit

BIRTH = "1.001193"  # đăng ký khai sinh: UBND xã Cần Đăng receives, appraises and signs


@pytest.fixture
def in_process_jobs(app, monkeypatch):
    """Jobs run right after commit in this process, as with no Redis: deterministic, no worker races."""
    monkeypatch.delitem(app.extensions, "redis")


@pytest.fixture
def citizen(make_user):
    return make_user(
        "citizen",
        full_name="Trần Thị Bích Ngọc",
        address="ấp An Hòa, xã Cần Đăng, huyện Châu Thành",
        phone="0912345678",
        email=f"ngoc-{uuid.uuid4().hex[:8]}@example.vn",
    )


@pytest.fixture
def birth(citizen):
    return submit(citizen, BIRTH)


LAND = "1.012790"  # liên thông: commune receives and verifies -> land registry -> district signs


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-07 06:00", "app.official_forms.services")


@pytest.fixture
def land_at_district(clock, citizen, user):
    """A land dossier received by the commune on Mon 7 Dec 2026, verified and sent on early (Wed 9),
    appraised by the land registry too slowly (due Wed 30 Dec, sent on Mon 4 Jan), now with the
    district People's Committee."""
    dossier = submit(citizen, LAND)
    clock.at("2026-12-07 07:00")
    dossier = act(dossier, "accept", user("tn.candang"))
    dossier = act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    clock.at("2026-12-09 10:00")
    dossier = act(dossier, "forward", user("cv.candang"))
    clock.at("2027-01-04 08:00")
    return act(dossier, "forward", user("cv.vpdk"))
