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

CHANNELS = ("online", "counter", "postal")
ONLINE_LEVELS = ("toan_trinh", "mot_phan")
FIELD_TYPES = ("string", "text", "integer", "number", "date", "boolean", "choice", "email", "phone", "cccd")

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
    """Total or step budget. kind is one of DEADLINE_KINDS; amount is unused for same_day."""

    kind: str
    amount: int = 0
    cutoff: str | None = None  # "HH:MM" for same_day; None means the configured default


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    name: Text
    required: bool
    types: tuple[str, ...]  # MIME types sniffed from the bytes, e.g. "application/pdf"
    max_size_mb: int
    original_copies: str = "copy"  # "original" | "copy" | "certified_copy" (printed on Mẫu 01)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Text
    type: str
    required: bool
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int = 0  # integer and number fields: counts, areas and amounts are not negative


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
    ancestor-or-self at that level (whole tree if None). kind "@receiving" = the receiving unit."""

    kind: str
    level: str | None = None
    under: str | None = None


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
    competent_level: str  # an org level name from ORG_LEVELS
    receiving_kinds: tuple[str, ...]  # unit kinds that may receive (e.g. "one_stop", "people_committee")
    receiving_level: str  # level of the receiving unit
    channels: tuple[str, ...]
    online_level: str
    fee: int  # VND; 0 = free
    fee_note: Text | None
    deadline: Deadline
    documents: tuple[DocumentSpec, ...]
    fields: tuple[FieldSpec, ...]  # the application's data fields (tờ khai)
    states: dict[str, State]
    transitions: tuple[Transition, ...]
    source_file: str = ""
    result_name: Text | None = None

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
