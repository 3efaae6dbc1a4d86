"""Who may change a dossier's documents (the engine itself checks who may apply a transition)."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import PermissionDeniedError
from app.dossiers.models import Dossier
from app.workflow.engine import available_transitions


def require_can_attach(user: User, dossier: Dossier, is_result: bool) -> None:
    """Citizens add documents only when asked to supplement; staff only while their unit holds it,
    and only staff attach a result."""
    if user.role == "citizen":
        allowed = not is_result and any(t.name == "supplement" for t in available_transitions(dossier, user))
    else:
        allowed = user.unit_id == dossier.current_unit_id and user.role in (
            "reception",
            "specialist",
            "leader",
        )
    if not allowed:
        raise PermissionDeniedError("Không được bổ sung tài liệu cho hồ sơ ở trạng thái này")
