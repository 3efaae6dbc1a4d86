"""Read access to the procedure registry for views, services and other domains.

Search is diacritics-insensitive: citizens often type Vietnamese without accents ("dang ky khai sinh"),
so both the query and the names are folded to plain lowercase ASCII letters before matching.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from flask import current_app

from app.procedures.definitions import Procedure, Transition
from app.procedures.loader import ProcedureRegistry, WorkflowDefinitionError

EXTENSION_KEY = "procedures"
LOAD_ERROR_KEY = "procedures_load_error"
_WORD = re.compile(r"[a-z0-9]+")


def get_registry() -> ProcedureRegistry:
    """The registry loaded at start-up for the current app."""
    error: WorkflowDefinitionError | None = current_app.extensions.get(LOAD_ERROR_KEY)
    if error is not None:
        raise error
    return current_app.extensions[EXTENSION_KEY]


def normalize_text(value: str) -> str:
    """Fold for search: NFD, drop combining marks, đ -> d, lowercase ("Đăng Ký" -> "dang ky")."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def search_words(value: str) -> list[str]:
    return _WORD.findall(normalize_text(value))


def matches(procedure: Procedure, query: str) -> bool:
    """Every word of the query starts a word of the Vietnamese or English name, or the query is
    (the start of) the procedure code."""
    query = query.strip()
    if not query:
        return True
    if procedure.code.startswith(query):
        return True
    words = set(search_words(procedure.name.vi)) | set(search_words(procedure.name.en))
    wanted = search_words(query)
    return bool(wanted) and all(any(word.startswith(w) for word in words) for w in wanted)


def list_procedures(
    q: str | None = None, level: str | None = None, field: str | None = None, on: date | None = None
) -> list[Procedure]:
    """Versions in effect on `on` (today by default), filtered by name words, competent level, field."""
    found = get_registry().list_current(on)
    if level:
        found = [proc for proc in found if proc.competent_level == level]
    if field:
        found = [proc for proc in found if proc.field_code == field]
    if q:
        found = [proc for proc in found if matches(proc, q)]
    return found


def get_procedure(code: str, version: int | None = None, on: date | None = None) -> Procedure:
    """That version, or the version in effect on `on` (today by default); NotFoundError otherwise."""
    registry = get_registry()
    return registry.get(code, version) if version is not None else registry.current(code, on)


def transition_of_message(payload: dict[str, Any]) -> Transition | None:
    """The transition an outbox message about a dossier event reports (its procedure version, its
    name and the state it left), with its declared effects; None when no loaded workflow has it."""
    code, version = payload.get("procedure_code"), payload.get("procedure_version")
    procedure = get_registry().find(code, version) if code and version else None
    if procedure is None:
        return None
    return procedure.find_transition(payload.get("transition"), payload.get("from_state"))
