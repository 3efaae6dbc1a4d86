"""Fixtures for the official forms: a citizen with full contact details, a birth registration
submitted by them, and jobs run in this process right after each commit (the embedded default)."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import submit

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
