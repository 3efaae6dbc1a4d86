"""Queue fixtures: a hand-set clock and dossiers moved through the real engine to each state."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.core.time import VN_TZ
from app.workflow.engine import apply_transition
from tests.factories import submit

BIRTH = "1.001193"  # commune procedure: reception, specialist and leader all at 000.21.30.H01


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


class Clock:
    """One `now` for the engine, the submission service and the queue flags."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = vn("2026-12-07 07:30")  # a Monday
        for module in ("app.workflow.engine", "app.dossiers.services", "app.queues.queries"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)

    def at(self, text: str) -> Clock:
        self.now = vn(text)
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


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
            dossier = apply_transition(dossier, name, user(login), dict(payload))
        return dossier

    return go


@pytest.fixture
def new_dossier(citizen):
    return lambda: submit(citizen, BIRTH)
