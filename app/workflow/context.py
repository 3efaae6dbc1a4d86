from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.dossiers.models import Dossier
from app.procedures.definitions import Procedure, Transition


@dataclass
class TransitionContext:
    """Everything a guard or action may look at. Guards must not change anything."""

    dossier: Dossier
    procedure: Procedure
    transition: Transition
    user: User
    payload: dict[str, Any]
    now: datetime

    @property
    def comment(self) -> str:
        return (self.payload.get("comment") or "").strip()
