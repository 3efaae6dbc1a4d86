"""Delivery of dossier events: every outbox message about a dossier becomes deliveries to
the National Public Service Portal (when configured) and to webhook subscribers, sent by rq jobs in
order per dossier and destination, at least once, with backoff, a retry horizon, dead-lettering and
replay. Admin pages under /admin/sync; CLI `flask sync sweep|replay|reconcile`.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from app.core.uow import CommandGroup

sync_cli = CommandGroup("sync", help="Delivery to the national portal and webhook subscribers.")


@sync_cli.command("sweep")
def sweep_command() -> None:
    """Enqueue every delivery that is due (cron-friendly; the scheduler sweeps periodically)."""
    from app.sync.jobs import sweep_once

    click.echo(f"enqueued {sweep_once()} lane(s)")


@sync_cli.command("replay")
@click.argument("delivery_ids", nargs=-1, type=int)
def replay_command(delivery_ids: tuple[int, ...]) -> None:
    """Send dead deliveries again (the given ids, or all of them)."""
    from app.sync.services import replay

    click.echo(f"replayed {replay(list(delivery_ids) or None)} delivery(ies)")


@sync_cli.command("reconcile")
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
def reconcile_command(since: datetime) -> None:
    """Re-send dossiers whose last state delivered to the national portal differs from the current one."""
    from app.core.time import VN_TZ
    from app.sync.national_client import is_enabled
    from app.sync.reconcile import reconcile

    if not is_enabled():
        raise click.ClickException("NATIONAL_PORTAL_URL is not set: national sync is disabled")
    report = reconcile(since.replace(tzinfo=VN_TZ))
    click.echo(
        f"checked {report.checked} dossier(s): {report.up_to_date} up to date, "
        f"{report.in_progress} still being delivered, {report.resent} re-sent"
    )
    for code in report.resent_codes[:50]:
        click.echo(f"  re-sent {code}")


def init_app(app: Flask) -> None:
    from app.jobs.schedule import periodic
    from app.outbox.services import register_handler
    from app.sync import models  # noqa: F401
    from app.sync.jobs import sweep_deliveries
    from app.sync.services import create_deliveries
    from app.sync.views import bp

    for topic in ("dossier.submitted", "dossier.transitioned"):
        register_handler(topic, "sync", create_deliveries)
    periodic(app, sweep_deliveries, every=lambda config: config["DELIVERY_SWEEP_SECONDS"])
    app.register_blueprint(bp)
    app.cli.add_command(sync_cli)
