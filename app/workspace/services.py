"""Officer use cases of the workspace: act on a dossier (with a result file when the action takes
one), counter intake. Each goes through the workflow engine (the only way a state changes), within
the request's unit of work. A stale page (its `expected_version` is not the dossier's) is refused
before anything is stored."""

from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.core import uow
from app.core.errors import ConflictError, ValidationError
from app.dossiers.models import Dossier
from app.workflow.documents import Files
from app.workflow.engine import apply_transition, available_transitions
from app.workflow.submission import Submission, submit_dossier
from app.workspace.permissions import require_intake

STALE = "Hồ sơ vừa được người khác cập nhật — đã tải lại trạng thái mới nhất"


def act_on_dossier(
    dossier: Dossier,
    user: User,
    name: str,
    payload: dict[str, Any],
    *,
    expected_version: int | None,
    files: Files | None = None,
) -> Dossier:
    """Apply transition `name` as seen on a page of version `expected_version`, with the files it
    brings (a result file, documents), stored with the same event."""
    if expected_version is None or expected_version != dossier.version:
        raise ConflictError(STALE, {"version": dossier.version})
    return apply_transition(dossier, name, user, payload, files=files, expected_version=expected_version)


def intake_dossier(user: User, submission: Submission, *, accept_now: bool) -> tuple[Dossier, str | None]:
    """Counter intake, one transaction: register the dossier (documents recorded as scanned at the
    counter) and, if asked, receive it at once (the transition that starts the clock, Mẫu 01).
    Returns the dossier and, when receiving was asked but refused (a required document missing),
    the reason; the dossier then stays submitted and is still registered."""
    require_intake(user)
    dossier = submit_dossier(user, submission)
    if not accept_now:
        return dossier, None
    receive = next((t for t in available_transitions(dossier, user) if "start_clock" in t.actions), None)
    if receive is None:
        return dossier, "Không thể tiếp nhận ngay hồ sơ này"
    try:
        with uow.savepoint():
            apply_transition(dossier, receive.name, user, {}, expected_version=dossier.version)
    except ValidationError as exc:
        return dossier, exc.message
    return dossier, None
