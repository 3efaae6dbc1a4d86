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
    """Everything a guard or action may look at. Guards must not change anything."""

    dossier: Dossier
    procedure: Procedure
    transition: Transition
    user: User
    payload: dict[str, Any]
    now: datetime
    files: Files = field(default_factory=Files)

    @property
    def comment(self) -> str:
        return (self.payload.get("comment") or "").strip()
