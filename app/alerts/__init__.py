"""Late-handling support (issue 5 §3): near-due / overdue step alerts to the acting unit's leaders,
a periodic scan job (`flask alerts scan [--schedule]`) and the staff page /work/late."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

alerts_cli = AppGroup("alerts", help="Near-due and overdue step alerts.")


@alerts_cli.command("scan")
@click.option("--schedule", is_flag=True, help="Also start the self-rescheduling rq chain (needs REDIS_URL).")
def scan_command(schedule: bool) -> None:
    """Scan open steps now and alert leaders (cron-friendly); --schedule starts the rq chain."""
    from app.alerts.jobs import scan_deadlines, start_schedule
    from app.jobs.chain import echo_start

    if schedule:
        echo_start(start_schedule)
        return
    click.echo(f"created {scan_deadlines(reschedule=False)} alert(s)")


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.alerts import models  # noqa: F401
    from app.alerts.views import bp
    from app.core.web import add_nav_link

    app.config.setdefault("ALERT_SCAN_MINUTES", 15)
    app.register_blueprint(bp)
    app.cli.add_command(alerts_cli)
    add_nav_link(app, "alerts_pages.late", lazy_gettext("Sắp đến hạn / quá hạn"), "staff")
