"""A pinned "now" for tests with hand-set times (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import datetime

from app.core.time import VN_TZ

ENGINE_MODULES = ("app.workflow.engine", "app.workflow.submission")


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


class Clock:
    """Pins `utcnow` for the engine and the submission service, plus the `modules` a test reads time in."""

    def __init__(self, monkeypatch, start: str, *modules: str) -> None:
        self.now = vn(start)
        for module in (*ENGINE_MODULES, *modules):
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)

    def at(self, text: str) -> Clock:
        self.now = vn(text)
        return self
