"""What each audience may read of a dossier. Staff of a unit that holds or held it read everything;
the applicant reads their own dossier as the office means it to be read: the sentence each
transition declares, comments only where the transition makes them public, the office's unit but
not who in it, none of the officers' inputs (assignee, unit picked), and the result only once it is
ready (a draft result is the office's until then).

The citizen's pages and the API read these same functions, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.dossiers.models import Dossier, DossierDocument, DossierEvent
from app.procedures.definitions import Procedure
from app.procedures.vocabulary import PUBLIC
from app.workflow.engine import procedure_of

# Inputs an applicant may read back from an event, when the transition's comment is public.
_PUBLIC_INPUTS = ("items", "new_appointment_at", "return_method")


def reads_as_applicant(user: User) -> bool:
    """Citizens (the applicant, or a citizen the dossier is shared with) read the applicant's view."""
    return not user.is_staff


@dataclass(frozen=True)
class ApplicantEvent:
    transition: str
    from_state: str | None
    to_state: str
    created_at: datetime
    sentence: str
    sentence_en: str
    unit: str | None  # the code of the acting officer's unit, as it was then
    comment: str | None  # only a public comment
    payload: dict[str, Any]


def is_public(event: DossierEvent, procedure: Procedure) -> bool:
    """Is this event's comment written for the applicant? An event of a transition no loaded
    workflow knows says nothing more than that it happened."""
    transition = procedure.find_transition(event.transition, event.from_state)
    return transition is not None and transition.effects.comment == PUBLIC


def applicant_event(event: DossierEvent, dossier: Dossier, procedure: Procedure) -> ApplicantEvent:
    transition = procedure.find_transition(event.transition, event.from_state)
    as_of = event.as_of
    holding = (as_of.unit.label("vi"), as_of.unit.label("en")) if as_of.unit else ("", "")
    if transition is None:
        sentences = ("Hồ sơ được cập nhật", "The dossier was updated")
    else:
        sentence = transition.effects.sentence
        sentences = (
            sentence.get("vi", channel=dossier.channel, unit=holding[0]),
            sentence.get("en", channel=dossier.channel, unit=holding[1]),
        )
    public = is_public(event, procedure)
    actor = as_of.actor
    return ApplicantEvent(
        transition=event.transition,
        from_state=event.from_state,
        to_state=event.to_state,
        created_at=event.created_at,
        sentence=sentences[0],
        sentence_en=sentences[1],
        unit=actor.unit.code if actor and actor.unit else None,
        comment=event.comment if public else None,
        payload={k: event.payload[k] for k in _PUBLIC_INPUTS if public and k in event.payload},
    )


def applicant_events(dossier: Dossier) -> list[ApplicantEvent]:
    procedure = procedure_of(dossier)
    return [applicant_event(event, dossier, procedure) for event in dossier.events]


def result_documents(dossier: Dossier) -> list[DossierDocument]:
    """Result files, shown to the applicant once the result is ready (a draft is never shown)."""
    if dossier.completed_at is None:
        return []
    return [d for d in dossier.documents if d.is_result]


def applicant_documents(dossier: Dossier) -> list[DossierDocument]:
    """The inputs (every version: they are the applicant's own) and the ready result."""
    return [d for d in dossier.documents if not d.is_result] + result_documents(dossier)


def may_read_document(user: User, dossier: Dossier, document: DossierDocument) -> bool:
    return not reads_as_applicant(user) or document in applicant_documents(dossier)


class ApplicantView:
    """A dossier as its applicant reads it: the same attributes, with the events and documents the
    applicant may read."""

    def __init__(self, dossier: Dossier) -> None:
        self._dossier = dossier
        self.documents = applicant_documents(dossier)
        self.events = applicant_events(dossier)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dossier, name)
