"""Queue fixtures: a hand-set clock and dossiers moved through the real engine to each state."""

from __future__ import annotations

import pytest

from tests.clock import Clock, vn  # noqa: F401
from tests.factories import act, submit

BIRTH = "1.001193"  # commune procedure: reception, specialist and leader all at 000.21.30.H01


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-07 07:30", "app.queues.queries")


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", full_name="Nguyễn Thị Ánh", citizen_id="089190000777")


@pytest.fixture
def walk(user):
    """Move a dossier along the birth-registration workflow: walk(dossier, "accept", "assign", ...)."""
    actors = {
        "accept": ("tn.candang", {}),
        "assign": ("ld.candang", {"assignee": "cv.candang"}),
        "propose": ("cv.candang", {}),
        "return_for_supplement": ("cv.candang", {"items": ["Bản sao CCCD"], "comment": "Thiếu giấy tờ"}),
        "approve": ("ld.candang", {}),
        "complete": ("tn.candang", {}),
        "deliver": ("tn.candang", {"return_method": "counter"}),
    }

    def go(dossier, *names):
        for name in names:
            login, payload = actors[name]
            dossier = act(dossier, name, user(login), dict(payload))
        return dossier

    return go


@pytest.fixture
def new_dossier(citizen):
    return lambda: submit(citizen, BIRTH)
