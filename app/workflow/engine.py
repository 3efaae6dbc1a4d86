"""The workflow engine: the only way a dossier's state changes.

`available_transitions` says what a user may do now; `apply_transition` does it within the caller's
unit of work: role and acting-unit check, guards, actions, new state, an event and outbox rows, then
one flush with optimistic locking (the loser of two concurrent conflicting actions gets a 409, never
a double step). Nothing is written before every check has passed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidTransitionError, PermissionDeniedError, ValidationError
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.outbox.services import add_message
from app.procedures import get_registry
from app.procedures.definitions import Procedure, Transition
from app.workflow.actions import ACTIONS, close_step
from app.workflow.context import TransitionContext
from app.workflow.guards import GUARDS

SAME = "@same"


def procedure_of(dossier: Dossier) -> Procedure:
    return get_registry().get(dossier.procedure_code, dossier.procedure_version)


def can_act(user: User, dossier: Dossier, transition: Transition) -> bool:
    """Role check plus acting unit: staff act for the unit holding the dossier; a citizen only on
    their own dossier."""
    if user.role not in transition.roles:
        return False
    if user.role == "citizen":
        return dossier.applicant_id == user.id
    return user.unit_id is not None and user.unit_id == dossier.current_unit_id


def available_transitions(dossier: Dossier, user: User) -> list[Transition]:
    procedure = procedure_of(dossier)
    return [t for t in procedure.transitions_from(dossier.state) if can_act(user, dossier, t)]


def _find_transition(procedure: Procedure, dossier: Dossier, name: str) -> Transition:
    for transition in procedure.transitions_from(dossier.state):
        if transition.name == name:
            return transition
    known = {t.name for t in procedure.transitions}
    state_label = procedure.states[dossier.state].label.vi
    if name not in known:
        raise ValidationError(
            f"Thao tác '{name}' không có trong quy trình của thủ tục này", {"transition": sorted(known)}
        )
    raise InvalidTransitionError(
        f"Không thể thực hiện '{name}' khi hồ sơ đang ở trạng thái '{state_label}'",
        {"state": dossier.state, "available": [t.name for t in procedure.transitions_from(dossier.state)]},
    )


def _check_guards(ctx: TransitionContext) -> None:
    problems: dict[str, str] = {}
    if ctx.transition.requires_comment and not ctx.comment:
        problems["comment"] = "Cần ghi nội dung/ý kiến"
    for name in ctx.transition.guards:
        result = GUARDS[name](ctx)
        if result is not None:
            field, message = result
            problems.setdefault(field, message)
    if problems:
        raise ValidationError(
            "Chưa đủ điều kiện thực hiện thao tác: " + "; ".join(problems.values()), problems
        )


def apply_transition(
    dossier: Dossier,
    name: str,
    user: User,
    payload: dict[str, Any] | None = None,
    *,
    expected_version: int | None = None,
) -> Dossier:
    payload = dict(payload or {})
    procedure = procedure_of(dossier)
    transition = _find_transition(procedure, dossier, name)
    if not can_act(user, dossier, transition):
        raise PermissionDeniedError(
            "Bạn không có quyền thực hiện thao tác này trên hồ sơ này", {"transition": name}
        )
    if expected_version is not None and expected_version != dossier.version:
        raise ConflictError(
            "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại", {"version": dossier.version}
        )
    ctx = TransitionContext(dossier, procedure, transition, user, payload, utcnow())
    _check_guards(ctx)
    from_state = dossier.state
    with db.session.no_autoflush:  # one UPDATE of the dossier, at the end (one version step)
        for action in transition.actions:
            ACTIONS[action](ctx)
    target = procedure.states[from_state if transition.target == SAME else transition.target]
    if target.is_final:
        _close_on_final(ctx)
    dossier.state = target.name
    dossier.national_status = target.national_code
    try:
        _record(ctx, from_state)
    except StaleDataError as exc:
        raise ConflictError(
            "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại", {"transition": name}
        ) from exc
    return dossier


def _close_on_final(ctx: TransitionContext) -> None:
    """Withdrawal, stop, refusal: close any open leg without an outcome; the clock stops."""
    ctx.dossier.paused_at = None
    close_step(ctx, measure=False)


def _record(ctx: TransitionContext, from_state: str) -> None:
    dossier = ctx.dossier
    event_payload = {k: v for k, v in ctx.payload.items() if k != "comment"}
    event = DossierEvent(
        dossier=dossier,
        transition=ctx.transition.name,
        from_state=from_state,
        to_state=dossier.state,
        actor_id=ctx.user.id,
        actor_unit_id=ctx.user.unit_id,
        created_at=ctx.now,
        comment=ctx.comment or None,
        payload=event_payload,
    )
    db.session.add(event)
    db.session.flush()
    add_message(
        "dossier.transitioned",
        {
            "dossier_code": dossier.code,
            "event_id": event.id,
            "transition": ctx.transition.name,
            "from_state": from_state,
            "to_state": dossier.state,
            "national_status": dossier.national_status,
            "unit_code": dossier.current_unit.code,
            "at": ctx.now.isoformat(),
        },
        dossier_id=dossier.id,
    )
