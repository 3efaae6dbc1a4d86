"""The Decision 766 transparency figure: received dossiers whose latest state the national portal
has acknowledged, through the indicators engine, with a real receiver and real rq workers."""

from __future__ import annotations

import pytest

from app.core.db import utcnow
from app.core.time import to_local
from app.indicators.metrics import NO_TRANSPARENCY, compute_indicators
from app.org.queries import get_unit_by_code
from tests.sync.support import dossier_with_events, wait_for_states

pytestmark = pytest.mark.usefixtures("sync_app")
COMMUNE = "000.21.30.H01"


def _synced(now=None) -> dict:
    today = to_local(utcnow()).date()
    return compute_indicators(get_unit_by_code(COMMUNE).id, None, None, today, today, now)


def test_share_of_received_dossiers_synced_to_the_national_portal(receiver, make_user, user):
    citizen = make_user("citizen")
    synced = dossier_with_events(citizen, user)
    wait_for_states({"delivered": 5}, destination="national", dossier_id=synced.id)

    receiver.status = 503  # the portal is down: the second dossier's messages wait
    waiting = dossier_with_events(citizen, user)
    wait_for_states({"delivered": 0}, destination="national", dossier_id=waiting.id)

    metrics = _synced()
    assert (metrics["national_synced"]["numerator"], metrics["national_synced"]["denominator"]) == (1, 2)
    synced_part = next(c for c in metrics["score"]["components"] if c["key"] == "national_synced")
    assert (synced_part["origin"], synced_part["weight"], synced_part["points"]) == ("system", 6, 3.0)
    # the other 12 transparency points come from the national procedure database: not scored here
    assert metrics["score"]["groups"]["transparency"] == {"points": 3.0, "max": 18, "counted": 6}

    receiver.status = 200  # back up: the backlog drains and the figure follows
    wait_for_states({"delivered": 5}, timeout=60, destination="national", dossier_id=waiting.id)
    assert _synced()["national_synced"]["numerator"] == 2


def test_without_national_sync_there_is_no_figure(app, make_user, user):
    app.config["NATIONAL_PORTAL_URL"] = ""  # sync_app restores it
    metrics = _synced()
    assert metrics["national_synced"]["numerator"] is None
    synced_part = next(c for c in metrics["score"]["components"] if c["key"] == "national_synced")
    assert (synced_part["origin"], synced_part["points"], synced_part["note"]) == (
        "missing",
        None,
        NO_TRANSPARENCY,
    )
    assert metrics["score"]["groups"]["transparency"] == {"points": None, "max": 18, "counted": 0}
