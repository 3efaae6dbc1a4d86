"""Fee lines fixed at receipt: when a dossier is received (its `received_at` is set, by the
`start_clock` action of whatever transition accepts it), the fee lines of its procedure version for
its channel on the day of receipt become its fee charges, in the same flush. Later changes to the
procedure's fees (a new version, a line that ends) never touch a dossier already received, and
Mẫu 01, the dossier pages and the reconciliation read these rows, not the procedure file.

A session listener rather than a call from the engine: whatever receives a dossier (the reception
officer's acceptance, a counter intake accepted at once, the demo history) fixes its fees, and the
lifecycle knows nothing of money."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.payments.models import DUE, FEE, Charge
from app.procedures import get_registry


def fee_charges(dossier: Dossier) -> list[Charge]:
    """The fee charges of `dossier` as of its receipt (lines of 0 VND are not charges)."""
    assert dossier.received_at is not None
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    day = to_local(dossier.received_at).date()
    unit = dossier.receiving_unit or db.session.get(Unit, dossier.receiving_unit_id)
    return [
        Charge(
            dossier=dossier,
            unit=unit,
            kind=FEE,
            fee_key=line.key,
            name=line.name.vi,
            name_en=line.name.en,
            amount=line.amount,
            basis=line.basis,
            payee=unit.name,
            note=line.note.vi if line.note else None,
            status=DUE,
            payable_at=dossier.received_at,
        )
        for line in procedure.fees_for(dossier.channel, day)
        if line.amount > 0
    ]


def _just_received(dossier: Dossier) -> bool:
    history = inspect(dossier).attrs.received_at.history
    return dossier.received_at is not None and bool(history.added) and not any(history.deleted)


@event.listens_for(Session, "before_flush")
def _fix_fee_lines(session: Session, _context: object, _instances: object) -> None:
    received = [
        obj for obj in (*session.new, *session.dirty) if isinstance(obj, Dossier) and _just_received(obj)
    ]
    if not received:
        return
    with session.no_autoflush:
        for dossier in received:
            session.add_all(fee_charges(dossier))
