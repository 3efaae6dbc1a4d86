"""Audit: the tamper-evident dossier history and the log of access to personal data.

- Every dossier event is hashed and chained to the previous event of its dossier (app.audit.chain,
  called by the workflow engine); a periodic job anchors the whole log (app.audit.anchors), signed
  and copied to the object store; `flask audit verify` walks the chains and the anchors.
- Opening a dossier or downloading one of its files, by anyone but its applicant, writes one row
  (app.audit.services.record_access) in the request's unit of work; administrators read the log at
  /admin/audit/accesses, applicants see who looked at their dossier on its page.
"""

from __future__ import annotations

import sys

import click
from flask import Flask

from app.core.uow import CommandGroup, even_on_failure

audit_cli = CommandGroup("audit", help="Tamper-evident dossier history: anchors and verification.")


@audit_cli.command("verify")
@click.option("--dossier", "dossier_code", default=None, help="Verify one dossier's chain only (its code).")
def verify_command(dossier_code: str | None) -> None:
    """Walk the hash chains and the anchors; print the first broken link and exit 1 if there is one."""
    from app.audit.services import finish_verification, start_verification
    from app.audit.verify import verify

    outcome = verify(dossier_code)
    speed = outcome.events / outcome.seconds if outcome.seconds else 0.0

    def record() -> None:  # stands even though a broken history makes the command fail
        finish_verification(start_verification(None, dossier_code), outcome)

    even_on_failure(record)
    summary = (
        f"{outcome.events} events in {outcome.dossiers} dossiers, {outcome.anchors} anchors, "
        f"{outcome.seconds:.2f} s ({speed:,.0f} events/s)"
    )
    if outcome.problem is None:
        click.echo(f"OK: {summary}")
        return
    click.echo(f"BROKEN ({outcome.problem.kind}): {outcome.problem.message}", err=True)
    click.echo(f"checked before it: {summary}", err=True)
    sys.exit(1)


@audit_cli.command("anchor")
def anchor_command() -> None:
    """Anchor the log now (the scheduler does it every AUDIT_ANCHOR_MINUTES)."""
    from app.audit.anchors import make_anchor

    anchor = make_anchor()
    if anchor is None:
        click.echo("no event since the last anchor")
        return
    click.echo(f"anchor #{anchor.id}: {anchor.event_count} events up to #{anchor.last_event_id}")


def init_app(app: Flask) -> None:
    from app.audit import models  # noqa: F401
    from app.audit.jobs import anchor_history
    from app.audit.views import bp
    from app.jobs.schedule import periodic

    periodic(app, anchor_history, every=lambda config: config["AUDIT_ANCHOR_MINUTES"] * 60)
    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
