"""The workflow engine: the only way a dossier's state changes, and the only way its documents do.

`available_transitions` says what a user may do now; `apply_transition` does it within the caller's
unit of work, and `start` does the initial transition of a dossier being submitted. Both go the same
way: role and acting-unit check, the optimistic-lock version, the inputs the transition accepts, its
guards; then its files to the object store, its actions, the new state, one event with the snapshot
of the dossier after it, and the outbox rows of that event; one flush. Nothing is written before
every check has passed, and the loser of two concurrent conflicting actions gets a 409, never a
double step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from app.audit import chain
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidTransitionError, PermissionDeniedError, ValidationError
from app.dossiers import snapshots
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.identity.prefill import waived_documents
from app.outbox.services import add_message
from app.procedures import get_registry
from app.procedures.definitions import Procedure, Transition
from app.procedures.graph import SAME_STATE
from app.procedures.vocabulary import ATTACH_DOCUMENTS, DISPATCH, INPUTS, SYSTEM_KINDS
from app.procedures.vocabulary import GUARDS as GUARD_SPECS
from app.representation.permissions import can_act_for
from app.representation.services import representation_of
from app.workflow import documents
from app.workflow.actions import ACTIONS, close_step
from app.workflow.context import TransitionContext
from app.workflow.documents import Files
from app.workflow.guards import GUARDS

SUBMITTED, TRANSITIONED = "dossier.submitted", "dossier.transitioned"  # outbox topics
STALE = "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại"


def procedure_of(dossier: Dossier) -> Procedure:
    return get_registry().get(dossier.procedure_code, dossier.procedure_version)


def can_act(user: User, dossier: Dossier, transition: Transition) -> bool:
    """Role check plus acting unit: staff act for the unit holding the dossier; a citizen on their
    own dossier, or on one of a principal whose valid authorisation covers the procedure."""
    if user.role not in transition.roles:
        return False
    if not user.is_staff:
        own = dossier.applicant_id == user.id
        return own or can_act_for(user, dossier.applicant_id, dossier.procedure_code)
    holding = dossier.current_unit_id or (dossier.current_unit.id if dossier.current_unit else None)
    if not transition.sources:  # the submission is made at the receiving unit, wherever it goes next
        holding = dossier.receiving_unit_id or (dossier.receiving_unit.id if dossier.receiving_unit else None)
    return user.unit_id is not None and user.unit_id == holding


def available_transitions(dossier: Dossier, user: User) -> list[Transition]:
    """What `user` may do now: their role and unit may act, and the guards that read only the
    dossier and the user (vocabulary `on_listing`) let them."""
    procedure = procedure_of(dossier)
    return [
        t
        for t in procedure.transitions_from(dossier.state)
        if can_act(user, dossier, t)
        and not _held_for_dispatch(dossier, t)
        and _listable(procedure, dossier, user, t)
    ]


def _held_for_dispatch(dossier: Dossier, transition: Transition) -> bool:
    """While its competent unit is unknown a dossier only takes documents, the dispatch itself or
    the applicant's withdrawal: nobody may accept or process it for an authority not yet named."""
    if dossier.dispatch_reason is None:
        return False
    return transition.kind not in (DISPATCH, ATTACH_DOCUMENTS) and not transition.effects.withdraws


def _listable(procedure: Procedure, dossier: Dossier, user: User, transition: Transition) -> bool:
    listing = [name for name in transition.guards if GUARD_SPECS[name].on_listing]
    if not listing:
        return True
    ctx = TransitionContext(dossier, procedure, transition, user, {}, utcnow())
    return all(GUARDS[name](ctx) is None for name in listing)


def start(dossier: Dossier, user: User, files: Files, payload: dict[str, Any] | None = None) -> Dossier:
    """The initial transition of a dossier being submitted (added to the session, not yet flushed):
    it enters the initial state, with its documents, its first event and outbox rows."""
    procedure = procedure_of(dossier)
    transition = procedure.initial_transition
    _require_actor(user, dossier, transition)
    ctx = TransitionContext(dossier, procedure, transition, user, dict(payload or {}), utcnow(), files)
    _check(ctx)
    return _perform(ctx, from_state=None)


def apply_transition(
    dossier: Dossier,
    name: str,
    user: User,
    payload: dict[str, Any] | None = None,
    *,
    files: Files | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Apply transition `name` for `user` with its inputs (`payload`, and `files` for the file
    inputs). `expected_version`: the version the user saw; another one is a 409."""
    procedure = procedure_of(dossier)
    transition = _find_transition(procedure, dossier, name)
    _require_actor(user, dossier, transition)
    if _held_for_dispatch(dossier, transition):
        raise InvalidTransitionError(
            f"Hồ sơ đang chờ phân loại ({dossier.dispatch_reason}): chưa thể '{transition.label.vi}'"
        )
    if expected_version is not None and expected_version != dossier.version:
        raise ConflictError(STALE, {"version": dossier.version})
    ctx = TransitionContext(
        dossier, procedure, transition, user, dict(payload or {}), utcnow(), files or Files()
    )
    _check(ctx)
    return _perform(ctx, from_state=dossier.state)


def apply_system_transition(dossier: Dossier, name: str, payload: dict[str, Any] | None = None) -> Dossier:
    """Apply transition `name` with no user acting: the system records a fact confirmed outside any
    officer's hand (a payment the national payment platform confirmed with its signature, or one
    recorded at the counter). Only transitions of a kind the vocabulary lets the system take
    (`SYSTEM_KINDS`); the event names no actor (the history says "Hệ thống"), its comment says what
    was confirmed. Guards, actions, the event, its snapshot and outbox rows are the same as ever."""
    procedure = procedure_of(dossier)
    transition = _find_transition(procedure, dossier, name)
    if transition.kind not in SYSTEM_KINDS:
        raise PermissionDeniedError(
            "Hệ thống không tự thực hiện thao tác này", {"transition": transition.name}
        )
    ctx = TransitionContext(dossier, procedure, transition, None, dict(payload or {}), utcnow())
    _check(ctx)
    return _perform(ctx, from_state=dossier.state)


def _find_transition(procedure: Procedure, dossier: Dossier, name: str) -> Transition:
    for transition in procedure.transitions_from(dossier.state):
        if transition.name == name:
            return transition
    known = {t.name for t in procedure.transitions if t.sources}
    state_label = procedure.states[dossier.state].label.vi
    if name not in known:
        raise ValidationError(
            f"Thao tác '{name}' không có trong quy trình của thủ tục này", {"transition": sorted(known)}
        )
    raise InvalidTransitionError(
        f"Không thể thực hiện '{name}' khi hồ sơ đang ở trạng thái '{state_label}'",
        {"state": dossier.state, "available": [t.name for t in procedure.transitions_from(dossier.state)]},
    )


def _require_actor(user: User, dossier: Dossier, transition: Transition) -> None:
    if not can_act(user, dossier, transition):
        raise PermissionDeniedError(
            "Bạn không có quyền thực hiện thao tác này trên hồ sơ này", {"transition": transition.name}
        )


# --- checks ---------------------------------------------------------------------------------------


def _check(ctx: TransitionContext) -> None:
    """Inputs the transition does not take, then its guards and the documents it brings: every
    problem at once, keyed by the input it concerns."""
    problems = _unknown_inputs(ctx)
    if ctx.transition.requires_comment and not ctx.comment:
        problems.setdefault("comment", "Cần ghi nội dung/ý kiến")
    for name in ctx.transition.guards:
        result = GUARDS[name](ctx)
        if result is not None:
            problems.setdefault(*result)
    if problems:
        raise ValidationError(
            "Chưa đủ điều kiện thực hiện thao tác: " + "; ".join(problems.values()), problems
        )
    if ctx.files.documents or ctx.files.stored:
        submitting = not ctx.transition.sources
        waived: frozenset[str] = frozenset()
        if submitting:  # the identity document a verified identity replaces is not asked for
            someone_else = ctx.dossier.applicant_id != ctx.user.id
            waived = waived_documents(ctx.procedure, ctx.user, for_someone_else=someone_else)
        documents.check_inputs(ctx.procedure, ctx.files, all_required=submitting, waived=waived)


def _unknown_inputs(ctx: TransitionContext) -> dict[str, str]:
    transition, label = ctx.transition, ctx.transition.label.vi
    problems = {
        key: f"Thao tác '{label}' không nhận trường này" for key in ctx.payload if not _takes(transition, key)
    }
    for key, given in (
        ("documents", ctx.files.documents or ctx.files.stored),
        ("result_file", ctx.files.results),
    ):
        if given and not transition.accepts(key):
            problems[key] = f"Thao tác '{label}' không nhận tệp đính kèm loại này"
    return problems


def _takes(transition: Transition, key: str) -> bool:
    spec = INPUTS.get(key)
    return spec is not None and not spec.is_file and transition.accepts(key)


# --- doing it -------------------------------------------------------------------------------------


def _perform(ctx: TransitionContext, *, from_state: str | None) -> Dossier:
    dossier, transition = ctx.dossier, ctx.transition
    added = documents.store(ctx.procedure, ctx.files, user=ctx.user, dossier=dossier) if ctx.files else []
    acted_in = dossier.current_step if from_state is not None else None
    with db.session.no_autoflush:  # one UPDATE of the dossier, at the end (one version step)
        documents.attach(dossier, added)
        for name in transition.actions:
            ACTIONS[name](ctx)
        target = ctx.procedure.states[
            from_state if transition.target == SAME_STATE and from_state else transition.target
        ]
        if target.is_final:
            _close_on_final(ctx)
        dossier.state = target.name
        dossier.national_status = target.national_code
        dossier.updated_at = ctx.now  # every transition is one version step, a stay included
        event = _event(ctx, from_state, acted_in)
        for document in added:
            document.event = event
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(STALE, {"transition": transition.name}) from exc
    add_message(
        SUBMITTED if from_state is None else TRANSITIONED, _message(ctx, event), dossier_id=dossier.id
    )
    return dossier


def _close_on_final(ctx: TransitionContext) -> None:
    """Withdrawal, stop, refusal: close any open leg without an outcome; the clock stops."""
    ctx.dossier.paused_at = None
    close_step(ctx, measure=False)


def _event(ctx: TransitionContext, from_state: str | None, acted_in: Any) -> DossierEvent:
    dossier = ctx.dossier
    event = DossierEvent(
        dossier=dossier,
        transition=ctx.transition.name,
        from_state=from_state,
        to_state=dossier.state,
        actor_id=ctx.user.id if ctx.user is not None else None,
        actor_unit_id=ctx.user.unit_id if ctx.user is not None else None,
        created_at=ctx.now,
        comment=ctx.comment or None,
        payload={k: v for k, v in ctx.payload.items() if k != "comment"},
        snapshot=snapshots.take(dossier, acted_in=acted_in, actor=ctx.user),
    )
    on_behalf = None
    if ctx.user is not None:
        on_behalf = representation_of(
            ctx.user,
            applicant_id=dossier.applicant_id,
            applicant_name=dossier.applicant_name,
            procedure_code=dossier.procedure_code,
            filing=from_state is None,
        )
    if on_behalf is not None:  # the actor is a representative: both are recorded (and hashed)
        event.represented_id = on_behalf.represented_id
        event.represented_name = on_behalf.represented_name
        event.authorisation_id = on_behalf.authorisation_id
    chain.seal(event, dossier)  # its place and hash in the dossier's tamper-evident history
    db.session.add(event)
    return event


def _message(ctx: TransitionContext, event: DossierEvent) -> dict[str, Any]:
    """One shape for every event: what happened, to which dossier, of which procedure, when."""
    dossier = ctx.dossier
    return {
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "procedure_version": dossier.procedure_version,
        "event_id": event.id,
        "transition": ctx.transition.name,
        "from_state": event.from_state,
        "to_state": dossier.state,
        "national_status": dossier.national_status,
        "unit_code": dossier.current_unit.code,
        "channel": dossier.channel,
        "at": ctx.now.isoformat(),
    }
