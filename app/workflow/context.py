from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.dossiers.models import Dossier
from app.procedures.definitions import Procedure, Transition
from app.workflow.documents import Files


@dataclass
class TransitionContext:
    """Everything a guard or action may look at. Guards must not change anything. `user` is None
    for a transition the system takes itself (engine.apply_system_transition)."""

    dossier: Dossier
    procedure: Procedure
    transition: Transition
    user: User | None
    payload: dict[str, Any]
    now: datetime
    files: Files = field(default_factory=Files)

    @property
    def comment(self) -> str:
        return (self.payload.get("comment") or "").strip()
