"""The walk of one planned dossier of the demo history (app.demo.history) through the real
services, from submission to its end, or to now if it is still going.

Which transition to take is read from what each transition declares (its effects, guards and
queue), never from its name, and who takes it is whoever the engine lets act (`can_act`) among the
applicant and the officers of the unit holding the dossier, so the walk follows any procedure file.
The clock (app.core.db.simulated_clock) is moved before each action: officers act in office hours,
at a pace that makes the dossier early, on time or late as planned.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.calendar.services import get_calendar
from app.core.errors import AppError
from app.core.time import VN_TZ, local_iso, to_local
from app.core.uow import unit_of_work
from app.demo.people import CITIZEN_POOL, DemoPerson, sample_pdf, sample_png
from app.demo.petitions import petition_about
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.queries import find_unit_by_code
from app.procedures import get_registry
from app.procedures.definitions import FieldSpec, Procedure, Transition
from app.procedures.vocabulary import APOLOGY, STOP_NOTICE, WORK
from app.ratings.services import rate_dossier
from app.workflow.documents import Files, Upload
from app.workflow.engine import apply_transition, can_act, procedure_of
from app.workflow.permissions import can_submit
from app.workflow.submission import Submission, submit_dossier, supply_documents
from app.workspace.queries import list_specialists

SEED = "an-giang-demo-2025"
OLD_CLOSE_BY = datetime(2025, 6, 30, 16, 30, tzinfo=VN_TZ)  # the past's dossiers are all closed by then
MAX_ACTIONS = 40
GIVE_UP_AFTER = timedelta(days=60)  # an applicant who never answers a request withdraws after this

# What a transition does for the walk, read from its declared effects (see role_of).
REFUSE, ASK, ANSWER, WITHDRAW, EXTEND = "refusal", "asking", "answer", "withdrawal", "extension"
STOP, REJECT, ASSIGN, PROGRESS, ASIDE = "stopping", "rejection", "assignment", "progress", "aside"
REASONS = {
    REFUSE: "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan; đề nghị nộp tại cơ quan có thẩm quyền",
    ASK: "Thành phần hồ sơ chưa đầy đủ theo quy định",
    REJECT: "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    EXTEND: "Cần thêm thời gian xác minh thông tin với cơ quan liên quan",
    STOP: "Người yêu cầu không bổ sung hồ sơ trong thời hạn quy định",
}
ITEMS = ["Bản sao giấy tờ tùy thân có chứng thực", "Tờ khai ghi đầy đủ thông tin theo mẫu"]
NEVER = 10**6


@dataclass
class Plan:
    """What happens to one dossier of the history."""

    index: int
    old: bool  # the three-tier past (closed by 30 Jun 2025)
    procedure_code: str
    receiving: str  # receiving unit code
    channel: str
    person: DemoPerson
    submitted_at: datetime
    pace: float  # time used, as a share of the statutory time (> 1: late)
    actions: int | None = None  # actions done so far, for a dossier still waiting for the next one
    refuse: bool = False
    ask_at_reception: bool = False
    ask_in_processing: bool = False
    never_answers: bool = False
    withdraw: bool = False
    reject: bool = False
    stop: bool = False
    extend: bool = False
    pays: bool = False
    electronic_result: bool = False
    rates: int | None = None
    land_commune: str | None = None  # the commune of the land (a form field of type unit)
    petition: bool = False  # the applicant writes a petition about the returned dossier


@dataclass
class Report:
    added: int = 0
    closed: int = 0
    in_progress: int = 0
    ratings: int = 0
    petitions: int = 0
    forms_rendered: int = 0
    problems: list[str] = field(default_factory=list)


class MovableClock:
    """The clock the services read while the history is written."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def role_of(transition: Transition) -> str:
    """What a transition does for the walk, from its declared effects, guards and queue."""
    effects = transition.effects
    if effects.answers_applicant:
        return ANSWER
    if effects.withdraws:
        return WITHDRAW
    if effects.asks_applicant:
        return ASK
    if effects.notify == "refused":
        return REFUSE
    if effects.notify == "rejected":
        return REJECT
    if APOLOGY in effects.forms:
        return EXTEND
    if STOP_NOTICE in effects.forms:
        return STOP
    if "has_assignee" in transition.guards:
        return ASSIGN
    return PROGRESS if effects.queue == WORK else ASIDE


def steps_left(procedure: Procedure, state: str) -> int:
    """Transitions of the normal path on the shortest way from `state` to a final state."""
    seen, frontier, depth = {state}, [state], 0
    while frontier:
        if any(s in procedure.states and procedure.states[s].is_final for s in frontier):
            return depth
        depth += 1
        following = []
        for s in frontier:
            for t in procedure.transitions_from(s):
                if role_of(t) in (PROGRESS, ASSIGN) and t.target not in seen and t.target in procedure.states:
                    seen.add(t.target)
                    following.append(t.target)
        frontier = following
    return NEVER


# --- form data and files ---------------------------------------------------------------------------


def _value(spec: FieldSpec, plan: Plan, rng: random.Random) -> Any:
    key, person = spec.key, plan.person
    if spec.type == "choice":
        return rng.choice(spec.choices)
    if spec.type == "unit":
        return plan.land_commune
    if spec.type == "cccd":
        return (
            person.citizen_id if "applicant" in key or "owner" in key else rng.choice(CITIZEN_POOL).citizen_id
        )
    if spec.type == "date":
        return (to_local(plan.submitted_at).date() - timedelta(days=rng.randrange(3, 40))).isoformat()
    if spec.type == "email":
        return person.email
    if spec.type == "phone":
        return person.phone
    if spec.type in ("integer", "number"):
        return max(int(getattr(spec, "min", 0) or 0), 1) + rng.randrange(0, 3)
    if spec.type == "boolean":
        return True
    if "name" in key:
        return person.full_name if "applicant" in key else rng.choice(CITIZEN_POOL).full_name
    if "ethnic" in key:
        return "Kinh"
    if spec.type == "text":
        return "Đề nghị cơ quan xem xét, giải quyết theo quy định."
    return person.address


def _fitting(spec: FieldSpec, plan: Plan, rng: random.Random) -> Any:
    value = _value(spec, plan, rng)
    limit = getattr(spec, "max_length", None)
    if isinstance(value, str) and limit and len(value) > limit:  # a number, a parcel, a sheet ...
        return str(rng.randrange(1, 10 ** min(limit, 4)))
    return value


def form_data(procedure: Procedure, plan: Plan) -> dict[str, Any]:
    rng = random.Random(f"{SEED}:{plan.index}:form")
    return {f.key: _fitting(f, plan, rng) for f in procedure.fields if f.required or rng.random() < 0.5}


def uploads(procedure: Procedure, index: int, *, everything: bool = False) -> list[Upload]:
    files = []
    for spec in procedure.documents:
        if spec.required or everything:
            if "application/pdf" in spec.types:
                content, name = sample_pdf(f"{index}:{spec.key}"), f"{spec.key}.pdf"
            else:
                content, name = sample_png(), f"{spec.key}.png"
            files.append(Upload(spec.key, name, io.BytesIO(content)))
    return files


def _result(index: int) -> Files:
    return Files(results=[Upload("result", "ket-qua.pdf", io.BytesIO(sample_pdf(f"{index}:result")))])


def _working_day_after(instant: datetime, days: int) -> datetime:
    calendar, day = get_calendar(), to_local(instant).date()
    for _ in range(days):
        day = calendar.next_working_day(day)
    return datetime.combine(day, time(16, 0), VN_TZ)


# --- who ----------------------------------------------------------------------------------------


def _people_of(dossier: Dossier, citizen: User) -> list[User]:
    """Who might act now: the applicant and the active officers of the unit holding the dossier."""
    officers = db.session.scalars(
        select(User)
        .where(User.unit_id == dossier.current_unit_id, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    return [citizen, *officers]


def _intake_officer(unit_code: str, procedure: Procedure, rng: random.Random) -> User | None:
    """An officer of the receiving unit who may register a dossier of `procedure` at the counter."""
    unit = find_unit_by_code(unit_code)
    if unit is None:
        return None
    officers = db.session.scalars(
        select(User).where(User.unit_id == unit.id, User.is_active_account.is_(True)).order_by(User.id)
    )
    able = [u for u in officers if u.is_staff and can_submit(u, procedure)]
    return rng.choice(able) if able else None


def citizen_of(person: DemoPerson) -> User:
    return db.session.scalar(select(User).where(User.username == person.username))


# --- the walk -----------------------------------------------------------------------------------


class Walk:
    """Moves one planned dossier from submission to its end (or to now, if it is still going)."""

    def __init__(self, plan: Plan, clock: MovableClock, real_now: datetime, report: Report) -> None:
        self.plan, self.clock, self.report, self.real_now = plan, clock, report, real_now
        self.rng = random.Random(f"{SEED}:{plan.index}:walk")
        self.citizen = citizen_of(plan.person)
        self.done: set[str] = set()  # the plan's one-off wishes already granted
        self.target: datetime | None = None
        self.limit = OLD_CLOSE_BY.astimezone(UTC) if plan.old else real_now

    def run(self) -> Dossier | None:
        dossier = self._submit()
        if dossier is None:
            return None
        for _ in range(MAX_ACTIONS if self.plan.actions is None else self.plan.actions):
            if procedure_of(dossier).states[dossier.state].is_final or not self._step(dossier):
                break
        if procedure_of(dossier).states[dossier.state].is_final:
            self.report.closed += 1
            self._rate(dossier)
            if self.plan.petition and dossier.returned_at is not None:
                self.report.petitions += petition_about(
                    dossier, self.clock, self.real_now, self.report.problems
                )
        else:
            self.report.in_progress += 1
        return dossier

    # time
    def _at(self, instant: datetime, *, office: bool = True) -> bool:
        """Set the clock to `instant` (the next office hour for officers); False when that is past
        the end of the history's period: a dossier of the last days stays in progress, one of the
        past is hurried to its end before 30 June 2025."""
        if office:
            instant = get_calendar().next_working_instant(instant)
        if instant > self.limit:
            if not self.plan.old:
                return False
            instant = self.limit - timedelta(minutes=30)
        self.clock.now = max(instant, self.clock.now + timedelta(minutes=1))
        return True

    def _officer_time(self, dossier: Dossier, procedure: Procedure) -> datetime:
        if self.target is None:
            return self.clock.now + timedelta(minutes=self.rng.randrange(15, 240))
        left = max(1, min(steps_left(procedure, dossier.state), 12))
        gap = (self.target - self.clock.now) / left
        return self.clock.now + max(timedelta(minutes=8), gap * self.rng.uniform(0.6, 1.3))

    # actions
    def _submit(self) -> Dossier | None:
        plan = self.plan
        procedure = get_registry().current(plan.procedure_code, to_local(plan.submitted_at).date())
        channel = plan.channel if plan.channel in procedure.channels else "counter"
        self.clock.now = plan.submitted_at.astimezone(UTC)
        online = channel == "online"
        if online:
            submitter = self.citizen
        else:
            self._at(self.clock.now)
            submitter = _intake_officer(plan.receiving, procedure, self.rng)
        if submitter is None:
            self.report.problems.append(
                f"#{plan.index}: nobody registers {plan.procedure_code} at {plan.receiving}"
            )
            return None
        person = plan.person
        applicant = {"name": person.full_name, "citizen_id": person.citizen_id, "phone": person.phone}
        submission = Submission(
            procedure_code=plan.procedure_code,
            data=form_data(procedure, plan),
            uploads=uploads(procedure, plan.index, everything=self.rng.random() < 0.3),
            channel=None if online else channel,
            unit_code=plan.receiving,
            applicant={} if online else {**applicant, "email": person.email, "address": person.address},
        )
        try:
            with unit_of_work():
                dossier = submit_dossier(submitter, submission)
        except AppError as exc:
            self.report.problems.append(
                f"#{plan.index} {plan.procedure_code} at {plan.receiving}: {exc.message} {exc.details}"
            )
            return None
        self.report.added += 1
        return dossier

    def _step(self, dossier: Dossier) -> bool:
        procedure = procedure_of(dossier)
        choice = self._choose(dossier, procedure)
        if choice is None:
            return False
        transition, actor = choice
        if actor.is_staff:
            moved = self._at(self._officer_time(dossier, procedure))
        else:
            moved = self._at(self.clock.now + timedelta(hours=self.rng.uniform(2, 72)), office=False)
        if not moved:
            return False
        try:
            with unit_of_work():
                self._apply(dossier, procedure, transition, actor)
        except AppError as exc:
            what = f"{dossier.code} '{transition.label.vi}' by {actor.username}"
            self.report.problems.append(f"#{self.plan.index} {what}: {exc.message} {exc.details}")
            return False
        if self.target is None and dossier.received_at is not None and dossier.due_at is not None:
            self.target = dossier.received_at + (dossier.due_at - dossier.received_at) * self.plan.pace
        return True

    def _apply(self, dossier: Dossier, procedure: Procedure, transition: Transition, actor: User) -> None:
        role = role_of(transition)
        if role == ANSWER:
            supply_documents(dossier, actor, uploads(procedure, self.plan.index)[:1], "Bổ sung theo yêu cầu")
            return
        payload: dict[str, Any] = {}
        if transition.accepts("comment"):
            payload["comment"] = REASONS.get(role, "Đã xử lý theo quy định")
        if transition.accepts("items"):
            payload["items"] = list(ITEMS)
        if transition.requires("assignee"):
            specialists = list_specialists(dossier.current_unit_id)
            payload["assignee"] = self.rng.choice(specialists).username if specialists else ""
        if transition.requires("new_appointment_at"):
            base = max(dossier.appointment_at or self.clock.now, self.clock.now)
            payload["new_appointment_at"] = local_iso(_working_day_after(base, 5))
        result = procedure.result
        electronic = result.is_electronic or not result.declared
        if transition.accepts("return_method"):
            payload["return_method"] = self._return_method(dossier, procedure)
        files = None
        wants_file = transition.requires("result_file") or (
            transition.accepts("result_file") and self.plan.electronic_result and electronic
        )
        if wants_file and not any(d.is_result for d in dossier.documents):
            files = _result(self.plan.index)
        apply_transition(dossier, transition.name, actor, payload, files=files)

    def _return_method(self, dossier: Dossier, procedure: Procedure) -> str:
        """Electronic where the plan wants it and there is an electronic result, else the paper
        original as the procedure hands it over (by post for a postal dossier where it may be)."""
        result = procedure.result
        has_file = any(d.is_result for d in dossier.documents)
        if self.plan.electronic_result and has_file and (result.is_electronic or not result.declared):
            return "electronic"
        ways = result.collect if result.declared and result.is_paper else ("counter", "post")
        if self.plan.channel == "postal" and "post" in ways:
            return "post"
        return "counter" if "counter" in ways else ways[0]

    def _choose(self, dossier: Dossier, procedure: Procedure) -> tuple[Transition, User] | None:
        """The transition the plan wants now and someone the engine lets take it."""
        by_role: dict[str, list[Transition]] = {}
        for transition in procedure.transitions_from(dossier.state):
            by_role.setdefault(role_of(transition), []).append(transition)
        people = _people_of(dossier, self.citizen)
        for wish, group in self._wanted(dossier, procedure, by_role):
            for transition in group:
                actors = [u for u in people if can_act(u, dossier, transition)]
                if actors:
                    if wish:
                        self.done.add(wish)
                    return transition, self.rng.choice(actors)
            if wish is None and group:  # the normal path is blocked: nobody here may take it
                unit = dossier.current_unit.code if dossier.current_unit else "?"
                names = ", ".join(t.label.vi for t in group)
                self.report.problems.append(
                    f"#{self.plan.index} {dossier.code}: nobody at {unit} for: {names}"
                )
                return None
        return None

    def _wanted(
        self, dossier: Dossier, procedure: Procedure, by_role: dict[str, list[Transition]]
    ) -> list[tuple[str | None, list[Transition]]]:
        """Groups of transitions to try now, in order: the plan's wishes that apply here (each named,
        granted once; one nobody here may take waits for a later state), then the normal path."""
        plan, received = self.plan, dossier.received_at is not None
        if by_role.get(ANSWER):
            if not plan.never_answers:
                return [(None, by_role[ANSWER])]
            # An unanswered request: the applicant gives up after a while (the past is closed).
            gave_up = plan.old or plan.submitted_at < self.real_now - GIVE_UP_AFTER
            return [("giving up", by_role.get(WITHDRAW, []))] if gave_up else []
        before_due = dossier.due_at is not None and self.clock.now < dossier.due_at - timedelta(hours=2)
        wishes = [
            (plan.withdraw and received, WITHDRAW, WITHDRAW),
            (plan.refuse, REFUSE, REFUSE),
            (plan.ask_at_reception and not received, ASK, "ask at reception"),
            (plan.ask_in_processing and received, ASK, "ask in processing"),
            (plan.stop and received, STOP, STOP),
            (plan.extend and before_due, EXTEND, EXTEND),
            (plan.reject, REJECT, REJECT),
        ]
        groups: list[tuple[str | None, list[Transition]]] = [
            (name, by_role[role])
            for wish, role, name in wishes
            if wish and by_role.get(role) and name not in self.done
        ]
        here = steps_left(procedure, dossier.state)
        moves = by_role.get(PROGRESS, [])
        detours = [t for t in moves if t.target != "@same" and steps_left(procedure, t.target) >= here]
        onward = sorted((t for t in moves if t not in detours), key=lambda t: steps_left(procedure, t.target))
        if detours and plan.pays and "payment" not in self.done:
            groups.append(("payment", detours))
        assigning = by_role.get(ASSIGN, [])
        staying = [t for t in assigning if t.target == "@same"]
        if staying and ASSIGN not in self.done and self.rng.random() < 0.5:
            groups.append((ASSIGN, staying))
        groups.append((None, [*[t for t in assigning if t.target != "@same"], *onward]))
        return groups

    def _rate(self, dossier: Dossier) -> None:
        score = self.plan.rates
        if score is None or dossier.returned_at is None:
            return
        if not self._at(self.clock.now + timedelta(hours=self.rng.uniform(1, 48)), office=False):
            return
        fields = {
            "overall": score,
            "time_vs_statutory": "late"
            if dossier.outcome == "late"
            else ("faster" if score == 5 else "on_time"),
            "contacts": "once" if score >= 4 else ("twice" if score == 3 else "three_or_more"),
            "conduct": "good" if score >= 4 else ("acceptable" if score == 3 else "poor"),
            "comment": {5: "Cán bộ hướng dẫn tận tình, đúng hẹn", 1: "Phải đi lại nhiều lần"}.get(score, ""),
        }
        try:
            with unit_of_work():
                rate_dossier(dossier, self.citizen, fields)
        except AppError as exc:
            self.report.problems.append(f"#{self.plan.index} {dossier.code} rating: {exc.message}")
            return
        self.report.ratings += 1


def first_receipt_day(
    old: bool, today: date, first_old: date, last_old: date, merger: date, months: int
) -> tuple[date, date]:
    """The days a dossier of the era may be received on."""
    if old:
        return first_old, last_old
    last = today - timedelta(days=1)
    return max(merger, last - timedelta(days=30 * months)), last
