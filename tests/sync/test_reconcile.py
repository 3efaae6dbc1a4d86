"""`flask sync reconcile --since DATE` re-sends the current state of dossiers whose last state
delivered to the national portal differs from the one they are in now."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.sync.models import NATIONAL, Delivery
from app.sync.queries import national_synced_clause
from tests.sync.support import deliveries, dossier_with_events, wait_for_states

pytestmark = pytest.mark.usefixtures("sync_app")


def synced_codes() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(Dossier.code).where(national_synced_clause())))


def test_reconcile_resends_dossiers_whose_delivered_state_is_stale(app, receiver, make_user, user):
    citizen = make_user("citizen")
    stale, fresh = dossier_with_events(citizen, user), dossier_with_events(citizen, user)
    wait_for_states({"delivered": 10})
    assert synced_codes() == {stale.code, fresh.code}
    # The portal never got the stale dossier's last change (e.g. sync was switched off meanwhile).
    last_event = stale.events[-1].id
    db.session.execute(
        delete(Delivery).where(Delivery.dossier_id == stale.id, Delivery.event_id == last_event)
    )
    db.session.commit()
    assert synced_codes() == {fresh.code}  # its latest event never reached the portal
    receiver.requests.clear()
    since = to_local(stale.submitted_at).strftime("%Y-%m-%d")

    result = app.test_cli_runner().invoke(args=["sync", "reconcile", "--since", since])

    assert result.exit_code == 0, result.output
    assert "checked 2 dossier(s): 1 up to date, 0 still being delivered, 1 re-sent" in result.output
    assert stale.code in result.output and fresh.code not in result.output
    wait_for_states({"delivered": 9}, destination=NATIONAL)
    sent = receiver.wait_for("/national", 1)
    assert [r.json["DuLieu"]["MaHoSo"] for r in sent] == [stale.code]
    assert sent[0].json["DuLieu"]["TrangThaiHoSo"] == stale.national_status
    assert deliveries(destination=NATIONAL)[-1].dossier_state == stale.state
    assert synced_codes() == {stale.code, fresh.code}

    again = app.test_cli_runner().invoke(args=["sync", "reconcile", "--since", since])
    assert "0 re-sent" in again.output
