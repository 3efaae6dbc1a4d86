"""Who may attach documents to a dossier outside another transition (the engine itself checks who
may apply each transition): staff of the unit holding it; the applicant while asked for documents,
and never a result. Once the dossier is closed, nobody. Who may submit a dossier of a procedure: the
roles of its initial transition, asked before anything submitted is read."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import ConflictError, PermissionDeniedError
from app.dossiers.models import Dossier
from app.procedures.definitions import Procedure
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


def can_submit(user: User, procedure: Procedure) -> bool:
    return user.role in procedure.initial_transition.roles


def require_can_submit(user: User, procedure: Procedure) -> None:
    """Checked first: a caller who may not submit is told so, not what to fix in the submission."""
    if not can_submit(user, procedure):
        raise PermissionDeniedError("Vai trò của bạn không nộp hay tiếp nhận được hồ sơ thủ tục này")
