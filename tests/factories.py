"""Test data built through the same services users go through."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from app.calendar.services import get_calendar
from app.core.time import local_iso, to_local
from app.core.uow import unit_of_work
from app.demo.people import sample_pdf, sample_png
from app.procedures import get_registry
from app.procedures.definitions import FieldSpec, Procedure
from app.workflow.submission import Submission, Upload, submit_dossier


def pdf_bytes(note: str = "") -> bytes:
    """The smallest well-formed PDF, with `note` as a comment line to tell two files apart (the
    demo seed's own maker: app.demo.people)."""
    return sample_pdf(note)


PDF = pdf_bytes()


def png_bytes() -> bytes:
    return sample_png()


def sample_file(types: tuple[str, ...]) -> tuple[bytes, str]:
    if "application/pdf" in types:
        return PDF, "giay-to.pdf"
    return png_bytes(), "anh.png"


SAMPLE_VALUES = {
    "string": "Nguyễn Văn A",
    "text": "Nội dung đề nghị",
    "integer": 2,
    "number": 1.5,
    "boolean": True,
    "date": "2026-11-20",
    "email": "a@example.vn",
    "phone": "0912345678",
    "cccd": "089090000123",
}


def sample_value(field: FieldSpec):
    if field.type == "unit":  # the first area of the field's level that exists today
        from datetime import date

        from app.org.queries import list_units_at_level

        return list_units_at_level(field.level, date.today())[0].code
    return field.choices[0] if field.type == "choice" else SAMPLE_VALUES[field.type]


def form_data(procedure: Procedure) -> dict:
    return {f.key: sample_value(f) for f in procedure.fields}


RECEIVING_UNIT = {"commune": "000.21.30.H01", "district": "000.01.30.H01", "province": "000.00.01.H01"}


def uploads_for(procedure: Procedure, *, only_required: bool = True) -> list[Upload]:
    uploads = []
    for spec in procedure.documents:
        if spec.required or not only_required:
            content, name = sample_file(spec.types)
            uploads.append(Upload(key=spec.key, filename=name, stream=io.BytesIO(content)))
    return uploads


def submit(citizen, procedure_code: str, unit_code: str | None = None):
    """A dossier submitted online, in a unit of work of its own (as the submission request would)."""
    procedure = get_registry().current(procedure_code, __import__("datetime").date.today())
    with unit_of_work():
        return submit_dossier(
            citizen,
            Submission(
                procedure_code=procedure.code,
                data=form_data(procedure),
                uploads=uploads_for(procedure),
                unit_code=unit_code or RECEIVING_UNIT[procedure.receiving_level],
            ),
        )


def act(dossier, name: str, user, payload: dict | None = None, **kwargs):
    """Apply a transition in a unit of work of its own (as a request would). A transition that
    requires a result file gets a sample one unless the dossier has one or the call brings files
    (as the leader's page would send it)."""
    from app.workflow.documents import Files, Upload
    from app.workflow.engine import apply_transition, procedure_of

    transition = next(
        (t for t in procedure_of(dossier).transitions_from(dossier.state) if t.name == name), None
    )
    has_result = any(d.is_result for d in dossier.documents)
    if (
        transition is not None
        and transition.requires("result_file")
        and not has_result
        and "files" not in kwargs
    ):
        kwargs["files"] = Files(results=[Upload("result", "ket-qua.pdf", io.BytesIO(PDF))])
    with unit_of_work():
        return apply_transition(dossier, name, user, payload, **kwargs)


def multipart_for(procedure: Procedure, unit_code: str | None = None) -> dict:
    import json

    body = {
        "procedure_code": procedure.code,
        "data": json.dumps(form_data(procedure)),
        "unit": unit_code or RECEIVING_UNIT[procedure.receiving_level],
    }
    for spec in procedure.documents:
        if spec.required:
            content, name = sample_file(spec.types)
            body[spec.key] = (io.BytesIO(content), name)
    return body


def on_a_working_day(instant: datetime) -> datetime:
    """`instant` (Vietnam time), moved on by whole days to a working day of the calendar: a new
    appointment (Mẫu 04) on a day off is refused."""
    calendar, local = get_calendar(), to_local(instant)
    while not calendar.is_working_day(local.date()):
        local += timedelta(days=1)
    return local


def later_appointment(dossier) -> str:
    """An appointment three days after the dossier's, on a working day."""
    return local_iso(on_a_working_day(dossier.appointment_at + timedelta(days=3)))
