"""Actions: what a transition does to the dossier's processing records, in the order declared.

They run inside the transition's unit of work and write nothing themselves (the engine flushes
once). Times come from the SLA clock (app.calendar), so every deadline is computed by the same code
as the due-date API. The actions a workflow may name are declared in app.procedures.vocabulary;
`ACTIONS` holds them, by function name.
"""

from __future__ import annotations

from collections.abc import Callable

from app.calendar.services import get_calendar
from app.core.errors import ValidationError
from app.core.time import parse_instant, to_local
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.org.models import Unit
from app.org.queries import ancestors_or_self, area_at_level, find_unit_by_code, list_units_matching
from app.procedures.definitions import Deadline, ResultSpec, Transition
from app.procedures.parsing_workflow import COMPETENT_UNIT, RECEIVING_UNIT
from app.procedures.vocabulary import RETURN_METHODS
from app.workflow.context import TransitionContext
from app.workflow.guards import find_assignee

Action = Callable[[TransitionContext], None]
ACTIONS: dict[str, Action] = {}


def action(do: Action) -> Action:
    ACTIONS[do.__name__] = do
    return do


def _due(start, budget: Deadline, dossier: Dossier | None = None):  # noqa: ANN001, ANN202
    """Due time of `budget` from `start`; the budget of the competent unit's area (island, remote)
    where the procedure gives one."""
    if dossier is not None:
        budget = budget.for_area(deciding_area(dossier))
    return get_calendar().due_at(start, budget.kind, budget.amount, budget.cutoff)


def deciding_area(dossier: Dossier) -> str | None:
    """The area kind (island, remote) the deadline follows: the competent unit's, else the
    receiving unit's; a unit without one inherits its area's (a commune section, its commune)."""
    unit = dossier.competent_unit or dossier.receiving_unit
    return next((u.area for u in ancestors_or_self(unit) if u.area), None) if unit is not None else None


def _open_step(ctx: TransitionContext, unit: Unit) -> DossierStep:
    spec = ctx.transition.step
    assert spec is not None  # the loader requires a step for start_clock / open_step
    dossier = ctx.dossier
    step = DossierStep(
        dossier=dossier,
        seq=len(dossier.steps) + 1,
        name=spec.name.vi,
        unit=unit,
        budget_kind=spec.budget.kind,
        budget_amount=spec.budget.amount,
        started_at=ctx.now,
        due_at=_due(ctx.now, spec.budget, dossier),
        given_by_id=ctx.user.id if ctx.user is not None else None,
    )
    db.session.add(step)
    dossier.current_unit_id = unit.id
    dossier.current_unit = unit
    return step


def close_step(ctx: TransitionContext, *, measure: bool = True) -> None:
    step = ctx.dossier.current_step
    if step is None:
        return
    if step.paused_at is not None:
        step.paused_minutes += get_calendar().working_minutes_between(step.paused_at, ctx.now)
        step.paused_at = None
    step.finished_at = ctx.now
    if measure:
        step.outcome = get_calendar().outcome(ctx.now, step.due_at)


@action
def start_clock(ctx: TransitionContext) -> None:
    dossier = ctx.dossier
    dossier.received_at = ctx.now
    deadline = ctx.procedure.deadline
    dossier.due_at = _due(ctx.now, deadline, dossier)
    dossier.appointment_at = dossier.due_at
    _open_step(ctx, dossier.current_unit)


def forward_candidates(
    ctx_or_dossier: TransitionContext | Dossier, transition: Transition | None = None
) -> list[Unit]:
    """The units `transition` may hand the dossier to (pages offer these; `resolve_forward_unit`
    accepts only these). Empty for a transition without `forward_to`."""
    if isinstance(ctx_or_dossier, TransitionContext):
        dossier, transition = ctx_or_dossier.dossier, transition or ctx_or_dossier.transition
    else:
        dossier = ctx_or_dossier
    selector = transition.forward_to if transition is not None else None
    if selector is None:
        return []
    if selector.kind == RECEIVING_UNIT:
        return [dossier.receiving_unit]
    if selector.kind == COMPETENT_UNIT:
        return [dossier.competent_unit] if dossier.competent_unit is not None else []
    on = to_local(dossier.submitted_at).date() if dossier.submitted_at else None  # the units of its time
    if selector.serving:
        served = dossier.competent_unit if selector.serving == COMPETENT_UNIT else dossier.receiving_unit
        if served is None:
            return []
        return list_units_matching(selector.kind, selector.level, None, on=on, serving=served)
    if selector.under == COMPETENT_UNIT:
        if dossier.competent_unit is None:
            return []
        return list_units_matching(selector.kind, selector.level, dossier.competent_unit, on=on)
    within = area_at_level(dossier.current_unit, selector.under) if selector.under else None
    return list_units_matching(selector.kind, selector.level, within, on=on)


def resolve_forward_unit(ctx: TransitionContext) -> Unit:
    """The unit a dossier is handed to: the selector's only match, or the one the payload names."""
    selector = ctx.transition.forward_to
    assert selector is not None
    if selector.kind == RECEIVING_UNIT:
        return ctx.dossier.receiving_unit
    candidates = forward_candidates(ctx)
    wanted = ctx.payload.get("unit")
    if wanted:
        chosen = find_unit_by_code(wanted)
        if chosen is None or chosen.id not in {u.id for u in candidates}:
            allowed = ", ".join(u.code for u in candidates) or "không có"
            raise ValidationError(
                "Đơn vị nhận không hợp lệ",
                {"unit": f"Đơn vị '{wanted}' không được chuyển tới; chọn: {allowed}"},
            )
        return chosen
    if len(candidates) == 1:
        return candidates[0]
    message = (
        "Không có đơn vị phù hợp để chuyển hồ sơ"
        if not candidates
        else "Cần chọn đơn vị nhận: " + ", ".join(u.code for u in candidates)
    )
    raise ValidationError(message, {"unit": message})


@action
def open_step(ctx: TransitionContext) -> None:
    target = resolve_forward_unit(ctx)
    close_step(ctx)
    _open_step(ctx, target)
    ctx.dossier.assignee_id = None


@action
def set_assignee(ctx: TransitionContext) -> None:
    assignee = find_assignee(ctx)
    assert assignee is not None  # guarded by has_assignee
    ctx.dossier.assignee_id = assignee.id
    if ctx.dossier.current_step is not None:
        ctx.dossier.current_step.assignee_id = assignee.id


@action
def pause_clock(ctx: TransitionContext) -> None:
    ctx.dossier.paused_at = ctx.now
    if ctx.dossier.current_step is not None:
        ctx.dossier.current_step.paused_at = ctx.now


@action
def resume_clock(ctx: TransitionContext) -> None:
    """Working time does not accrue while paused: due times move by the remaining working time."""
    dossier, calendar = ctx.dossier, get_calendar()
    if dossier.paused_at is None:
        return
    dossier.paused_minutes += calendar.working_minutes_between(dossier.paused_at, ctx.now)
    if dossier.due_at is not None:
        moved = calendar.resume_due_at(dossier.paused_at, dossier.due_at, ctx.now)
        if dossier.appointment_at == dossier.due_at:
            dossier.appointment_at = moved
        dossier.due_at = moved
    dossier.paused_at = None
    step = dossier.current_step
    if step is not None and step.paused_at is not None:
        step.paused_minutes += calendar.working_minutes_between(step.paused_at, ctx.now)
        step.due_at = calendar.resume_due_at(step.paused_at, step.due_at, ctx.now)
        step.paused_at = None


@action
def set_new_appointment(ctx: TransitionContext) -> None:
    """Mẫu 04: a new appointment for the citizen. The legal due_at (and so the outcome) is unchanged."""
    ctx.dossier.appointment_at = parse_instant(ctx.payload["new_appointment_at"])
    ctx.dossier.is_extended = True
    ctx.dossier.extension_reason = ctx.comment


@action
def finish(ctx: TransitionContext) -> None:
    dossier = ctx.dossier
    dossier.completed_at = ctx.now
    if dossier.due_at is not None:
        dossier.outcome = get_calendar().outcome(ctx.now, dossier.due_at)
    if dossier.received_at is not None:
        worked = get_calendar().working_minutes_between(dossier.received_at, ctx.now)
        dossier.processing_minutes = max(worked - dossier.paused_minutes, 0)
    close_step(ctx)


@action
def record_return(ctx: TransitionContext) -> None:
    method = ctx.payload.get("return_method") or "counter"
    if method not in RETURN_METHODS:
        raise ValidationError(
            "Hình thức trả kết quả không hợp lệ",
            {"return_method": f"Chọn một trong: {', '.join(RETURN_METHODS)}"},
        )
    problem = _return_problem(ctx.procedure.result, method)
    if problem:
        raise ValidationError(
            "Hình thức trả kết quả không phù hợp với kết quả của thủ tục", {"return_method": problem}
        )
    tracking = str(ctx.payload.get("tracking_number") or "").strip()
    if tracking and method != "post":
        raise ValidationError(
            "Mã bưu gửi chỉ ghi khi trả kết quả qua bưu chính", {"tracking_number": "Chọn trả qua bưu chính"}
        )
    ctx.dossier.returned_at = ctx.now
    ctx.dossier.return_method = method


def _return_problem(result: ResultSpec, method: str) -> str | None:
    """A declared paper original is collected or posted as the procedure says; an electronic return
    needs an electronic result."""
    if not result.declared:
        return None
    if method == "electronic" and not result.is_electronic:
        return "Kết quả của thủ tục này là bản giấy: nhận tại quầy hoặc qua bưu chính"
    if method != "electronic" and result.is_paper and method not in result.collect:
        ways = {"counter": "nhận tại quầy", "post": "gửi qua bưu chính"}
        return "Bản giấy của kết quả chỉ được " + " hoặc ".join(ways[w] for w in result.collect)
    return None


@action
def set_competent_unit(ctx: TransitionContext) -> None:
    """Dispatch: the competent unit named by the officer (an area at the procedure's competent
    level existing today); the dossier goes back to its receiving unit's queue."""
    from app.workflow.routing import competent_choices, is_outside_area

    code = ctx.payload.get("competent_unit")
    allowed = competent_choices(ctx.procedure, to_local(ctx.now).date())
    chosen = next((u for u in allowed if u.code == code), None)
    if chosen is None:
        raise ValidationError(
            "Đơn vị có thẩm quyền không hợp lệ",
            {"competent_unit": f"Chọn một đơn vị cấp '{ctx.procedure.competent_level}' đang hoạt động"},
        )
    dossier = ctx.dossier
    dossier.competent_unit = chosen
    dossier.competent_unit_id = chosen.id
    dossier.dispatch_reason = None
    dossier.received_outside_area = is_outside_area(dossier.receiving_unit, chosen)
    dossier.current_unit = dossier.receiving_unit
    dossier.current_unit_id = dossier.receiving_unit_id
