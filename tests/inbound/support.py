"""Helpers of the inbound tests: dossiers filed on the portal simulator, recorded and imported as the
push endpoint and the import job would (each in a unit of work of its own)."""

from __future__ import annotations

import random

from app.core.uow import unit_of_work
from app.extensions import db
from app.inbound.receiving import import_filing, record_envelope
from app.national.models import InboundFiling
from app.procedures import get_registry
from tests.factories import form_data, pdf_bytes

BIRTH = "1.001193"
HMAC_KEY = "test-lgsp-key"


def new_cccd() -> str:
    """A valid personal ID number (province 089, born 1990) no account has yet."""
    return f"089190{random.randrange(10**6):06d}"


def birth_filing(portal, unit: str, *, procedure: str = BIRTH, cccd: str | None = None, **options) -> str:
    """A birth registration filed on the portal by a verified citizen, with its required documents
    (the second one last, so a broken download comes after a stored one); its national code."""
    proc = get_registry().current(BIRTH)
    form = options.pop("form", None) or form_data(proc)
    documents = [(d.key, f"{d.key}.pdf", pdf_bytes(d.key)) for d in proc.documents if d.required]
    applicant = {
        "name": options.pop("name", "Trần Thị Cổng"),
        "cccd": cccd or new_cccd(),
        "phone": "0912345678",
        "email": "cong@example.vn",
        "level": options.pop("level", 2),
    }
    return portal.file_dossier(
        procedure=procedure, unit=unit, applicant=applicant, form=form, documents=documents, **options
    )


def envelope(portal, code: str) -> dict:
    return portal.filings[code].envelope


def receive(portal, code: str, transport: str = "push"):
    """Record the filing's envelope as the push endpoint does; the Recorded."""
    with unit_of_work():
        return record_envelope(envelope(portal, code), transport)


def import_now(filing_id: int, now=None) -> str | None:
    with unit_of_work():
        return import_filing(filing_id, now)


def filing_of(code: str) -> InboundFiling:
    db.session.expire_all()
    return db.session.scalar(db.select(InboundFiling).where(InboundFiling.national_code == code))
