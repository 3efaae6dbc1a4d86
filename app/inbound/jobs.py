"""Jobs of the inbound side: import one filing, poll the portal, sweep what is due.

- `import_filing_job(id)`: one filing becomes a dossier (app.inbound.receiving.import_filing); asked
  for after the filing is recorded, and again after each failed attempt, at its retry time;
- `poll_national_portal` (periodic, every INBOUND_POLL_SECONDS, when INBOUND_TRANSPORT has `poll`):
  one page of offered envelopes recorded, acknowledged once committed; a full page asks for the next
  one at once;
- `sweep_inbound` (periodic, every INBOUND_SWEEP_SECONDS): every pending filing whose attempt is due,
  so a lost job or a Redis restart delays a filing by one sweep at most.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app

from app.core import uow
from app.core.db import utcnow
from app.inbound.receiving import import_filing, record_envelope, record_job_failure
from app.jobs import QUICK, enqueue, job
from app.national import inbound, transport
from app.national.queries import due_filing_ids

log = logging.getLogger(__name__)


@job(queue=QUICK, timeout=900, retry=(30, 120), on_failure=record_job_failure)
def import_filing_job(filing_id: int) -> str | None:
    return import_filing(filing_id)


@dataclass
class PollReport:
    offered: int = 0
    new: int = 0
    duplicates: int = 0
    refused: dict[str, str] = field(default_factory=dict)


def poll_once() -> PollReport:
    """One page of the portal's offered filings, recorded in the caller's unit; acknowledged after it
    commits (a failed acknowledgement offers them again: duplicates, nothing new)."""
    limit = int(current_app.config["INBOUND_POLL_BATCH"])
    offered = transport.fetch_offered(limit)
    report, taken = PollReport(offered=len(offered)), []
    for document in offered:
        message_id = document.get("MaBanTin") if isinstance(document, dict) else None
        try:
            recorded = record_envelope(document, transport.POLL)
        except inbound.InboundError as exc:
            if isinstance(message_id, str):
                report.refused[message_id] = str(exc)[:500]
            log.warning("national filing %s refused: %s", inbound.national_code_of(document), exc)
            continue
        taken.append(recorded.filing.message_id if not recorded.is_duplicate else message_id)
        report.duplicates += recorded.is_duplicate
        report.new += not recorded.is_duplicate
    acknowledged = [m for m in taken if isinstance(m, str)] + list(report.refused)
    if acknowledged:
        uow.after_commit(lambda: transport.acknowledge(acknowledged, report.refused))
    if len(offered) >= limit:
        enqueue(poll_national_portal, job_id="inbound-poll-next", skip_if_live=True)
    return report


@job(queue=QUICK, timeout=300)
def poll_national_portal() -> int:
    """Periodic: one page from the portal (when polling is configured); the number of new filings."""
    if transport.POLL not in transport.transports() or not current_app.config.get("INBOUND_POLL_URL"):
        return 0
    try:
        report = poll_once()
    except transport.PortalUnavailableError as exc:
        log.info("national portal poll failed: %s", exc.message)
        return 0
    if report.offered:
        log.info(
            "national portal poll: %s offered, %s new, %s duplicate(s), %s refused",
            report.offered,
            report.new,
            report.duplicates,
            len(report.refused),
        )
    return report.new


def sweep_once() -> int:
    ids = due_filing_ids(utcnow())
    for filing_id in ids:
        enqueue(import_filing_job, filing_id, job_id=f"inbound-{filing_id}", skip_if_live=True)
    return len(ids)


@job(queue=QUICK, timeout=120)
def sweep_inbound() -> int:
    """Periodic: ask for the import of every pending filing that is due."""
    count = sweep_once()
    if count:
        log.info("inbound sweep enqueued %s filing(s)", count)
    return count
