"""Immutable, validated procedure definitions, built from `workflows/*.yaml` by the loader.

One file = one procedure version. The engine, the API and the forms read only these objects;
nothing reads the YAML directly. Every name used here is the shared vocabulary: procedure,
workflow, state, transition, guard, action, step, unit, role, document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.auth.roles import ROLES as ROLES  # the roles a transition may name

if TYPE_CHECKING:
    from app.procedures.vocabulary import Effects

CHANNELS = ("online", "counter", "postal")  # what a procedure offers (its file's `channels`)
# A dossier filed on the National Public Service Portal and received here through the provincial
# integration platform (app.national): an online filing, offered wherever the procedure is online.
NATIONAL_PORTAL = "national_portal"
DOSSIER_CHANNELS = (*CHANNELS, NATIONAL_PORTAL)  # how a dossier came in (Dossier.channel)
ONLINE_CHANNELS = ("online", NATIONAL_PORTAL)


def offered_channel(channel: str | None) -> str | None:
    """The procedure channel a dossier's channel falls under: a national portal filing is online."""
    return "online" if channel == NATIONAL_PORTAL else channel


def dossier_channels(offered: str) -> tuple[str, ...]:
    """The dossier channels counted under a procedure channel ("online": both online channels)."""
    return tuple(c for c in DOSSIER_CHANNELS if offered_channel(c) == offered)


ONLINE_LEVELS = ("toan_trinh", "mot_phan")
FIELD_TYPES = (
    "string",
    "text",
    "integer",
    "number",
    "date",
    "boolean",
    "choice",
    "email",
    "phone",
    "cccd",
    "unit",
)

# Guards, actions, inputs and kinds of transition: app.procedures.vocabulary.
DEADLINE_KINDS = ("working_days", "working_hours", "same_day")


@dataclass(frozen=True)
class Text:
    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Deadline:
    """Total or step budget. kind is one of DEADLINE_KINDS; amount is unused for same_day.
    `by_area`: another budget where the competent unit is an island or remote area."""

    kind: str
    amount: int = 0
    cutoff: str | None = None  # "HH:MM" for same_day; None means the configured default
    by_area: tuple[tuple[str, Deadline], ...] = ()

    def for_area(self, area: str | None) -> Deadline:
        return next((budget for name, budget in self.by_area if name == area), self)


@dataclass(frozen=True)
class FeeLine:
    """One fee or charge (phí, lệ phí) of a procedure version; applies to `channels` (all when
    empty) on days from `valid_from` to `valid_to` (open when None)."""

    key: str
    name: Text
    amount: int  # VND
    channels: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    basis: str | None = None
    note: Text | None = None

    def applies(self, channel: str | None, on: date | None) -> bool:
        channel = offered_channel(channel)
        if channel is not None and self.channels and channel not in self.channels:
            return False
        if on is not None and self.valid_from is not None and on < self.valid_from:
            return False
        return not (on is not None and self.valid_to is not None and on > self.valid_to)


RESULT_FORMS = ("electronic", "paper", "both")  # the original result: a signed file, on paper, or both
COLLECT_WAYS = ("counter", "post")  # how a paper original reaches the applicant


@dataclass(frozen=True)
class ResultSpec:
    """What the result of a procedure version is (YAML `result`): an electronic original (a signed
    file, downloaded and pushed to the citizen's data store), a paper original (collected at the
    counter or sent by post: `collect`), or both."""

    form: str = "electronic"
    collect: tuple[str, ...] = COLLECT_WAYS
    # False for a version without `result`: approval may bring a file or not (a file is an
    # electronic result, none a paper one collected at the counter), as before the key existed.
    declared: bool = True

    @property
    def is_electronic(self) -> bool:
        return self.form in ("electronic", "both")

    @property
    def is_paper(self) -> bool:
        return self.form in ("paper", "both")


@dataclass(frozen=True)
class LegalBasis:
    governing: tuple[str, ...]  # the laws, decrees and circulars the procedure follows
    publication: str | None = None  # the province's decision publishing it


@dataclass(frozen=True)
class ReceivingPoint:
    level: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    name: Text
    required: bool
    types: tuple[str, ...]  # MIME types sniffed from the bytes, e.g. "application/pdf"
    max_size_mb: int
    original_copies: str = "copy"  # "original" | "copy" | "certified_copy" (printed on Mẫu 01)
    # Not required of someone signed in with a verified electronic identity (VNeID): the identity
    # document of the person filing, whose facts the identity itself gives (app.identity.prefill).
    replaced_by_identity: bool = False


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Text
    type: str
    required: bool
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int = 0  # integer and number fields: counts, areas and amounts are not negative
    level: str | None = None  # unit fields: the level of the unit chosen (a commune)


@dataclass(frozen=True)
class State:
    name: str
    label: Text
    national_code: int  # 1..10, the national status (docs/domain.md, National portal)
    is_initial: bool = False
    is_final: bool = False
    is_paused: bool = False  # the SLA clock does not run while a dossier is here


@dataclass(frozen=True)
class UnitSelector:
    """Which unit receives a forwarded dossier: a unit of `kind` (and `level` if given) inside the
    administrative area at level `under` that the acting unit belongs to, i.e. its topmost
    ancestor-or-self at that level (whole tree if None). kind "@receiving" = the receiving unit,
    "@competent" = the competent unit; under "@competent" = inside the competent unit's area;
    serving "@competent" / "@receiving" = a unit whose service area includes that unit's."""

    kind: str
    level: str | None = None
    under: str | None = None
    serving: str | None = None


@dataclass(frozen=True)
class StepSpec:
    name: Text
    budget: Deadline


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]  # empty for the initial transition (submit): from no state
    target: str
    roles: tuple[str, ...]
    label: Text
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    step: StepSpec | None = None  # the step this transition opens (start_clock / open_step)
    forward_to: UnitSelector | None = None  # required with open_step
    requires_comment: bool = False
    kind: str | None = None  # the kind of transition its effects come from, if any
    effects: Effects | None = None  # always set once loaded (vocabulary.Effects)
    inputs: tuple[tuple[str, str], ...] = ()  # (input name, "required" | "optional")

    def accepts(self, name: str) -> bool:
        return any(key == name for key, _ in self.inputs)

    def requires(self, name: str) -> bool:
        return (name, "required") in self.inputs


@dataclass(frozen=True)
class Procedure:
    code: str  # national procedure code (mã TTHC), e.g. "1.001193"
    version: int
    effective_from: date
    name: Text
    field_code: str  # lĩnh vực
    field_name: Text
    competent_level: str  # an org level of the version's period
    receiving_kinds: tuple[str, ...]  # unit kinds that may receive at receiving_level (the first point)
    receiving_level: str  # level of the receiving unit (the first point)
    channels: tuple[str, ...]
    online_level: str
    fee: int  # VND on effective_from at the counter, all lines; 0 = free
    fee_note: Text | None
    deadline: Deadline
    documents: tuple[DocumentSpec, ...]
    fields: tuple[FieldSpec, ...]  # the application's data fields (tờ khai)
    states: dict[str, State]
    transitions: tuple[Transition, ...]
    source_file: str = ""
    result_name: Text | None = None
    effective_to: date | None = None  # last day in force; None: until a later version or for good
    replaced_by: tuple[str, int | None] | None = None  # (code, version) that replaces it
    levels: tuple[str, ...] = ()  # the org structure it is written for (its period's levels)
    legal_basis: LegalBasis | None = None
    no_boundary: bool = False  # received regardless of administrative boundary (phi địa giới)
    competent_from: str | None = None  # the unit form field that names the competent unit
    receiving_points: tuple[ReceivingPoint, ...] = ()
    fee_lines: tuple[FeeLine, ...] = ()
    sets: int = 1  # paper sets of the dossier asked for at the counter (Mẫu 01: "02 bộ")
    result: ResultSpec = ResultSpec()

    def receives_at(self, unit_level: str, unit_kind: str) -> bool:
        return any(p.level == unit_level and unit_kind in p.kinds for p in self.receiving_points)

    def fees_for(self, channel: str | None, on: date | None) -> list[FeeLine]:
        return [line for line in self.fee_lines if line.applies(channel, on)]

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def initial_state(self) -> State:
        return next(s for s in self.states.values() if s.is_initial)

    @property
    def initial_transition(self) -> Transition:
        """The submission: from no state to the initial state."""
        return next(t for t in self.transitions if not t.sources)

    def find_transition(self, name: str | None, source: str | None) -> Transition | None:
        """The transition `name` from `source` (None: the initial transition); a (name, source)
        pair is unique in a workflow."""
        for transition in self.transitions:
            if transition.name == name and (
                source in transition.sources if source else not transition.sources
            ):
                return transition
        return None

    def document(self, key: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.key == key), None)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]


@dataclass
class LoadReport:
    """All problems found while loading, each "file: key.path: message"."""

    procedures: list[Procedure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # versions written for another org structure
