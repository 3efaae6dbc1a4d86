"""Periodic work of the payments: pending online payments asked about (and settled, or closed when
too old), receipts not stored yet rendered again (`receipts.render_unfinished_receipts`)."""

from __future__ import annotations

import logging

from app.jobs import QUICK, job

log = logging.getLogger(__name__)


@job(queue=QUICK, timeout=600)
def reconcile_pending_payments() -> dict[str, int]:
    """Periodic: ask the platform about online payments still pending after PAYMENT_QUERY_AFTER_SECONDS."""
    from app.payments.online import reconcile_pending

    counts = reconcile_pending()
    if counts:
        log.info("pending payments reconciled: %s", counts)
    return counts
