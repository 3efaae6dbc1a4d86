"""Who may attach documents to a dossier outside another transition (the engine itself checks who
may apply each transition): staff of the unit holding it; the applicant while asked for documents,
and never a result. Once the dossier is closed, nobody."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import ConflictError, PermissionDeniedError
from app.dossiers.models import Dossier
from app.procedures.vocabulary import ATTACH_DOCUMENTS
from app.workflow.engine import available_transitions, procedure_of


def can_attach(user: User, dossier: Dossier, *, results: bool = False) -> bool:
    available = available_transitions(dossier, user)
    if not any(t.name == ATTACH_DOCUMENTS for t in available):
        return False
    if user.is_staff:
        return True
    return not results and any(t.effects.answers_applicant for t in available)


def require_can_attach(user: User, dossier: Dossier, *, results: bool = False) -> None:
    state = procedure_of(dossier).states[dossier.state]
    if state.is_final:
        raise ConflictError(
            f"Hồ sơ đã kết thúc ({state.label.vi}): không thể thêm hay thay thế tài liệu",
            {"state": dossier.state},
        )
    if not can_attach(user, dossier, results=results):
        raise PermissionDeniedError("Không được bổ sung tài liệu cho hồ sơ ở trạng thái này")
