"""Late handling: near-due / overdue step alerts to the acting unit's leaders, found by a periodic
scan (`flask alerts scan` runs one now), and the staff page /work/late."""

from __future__ import annotations

import click
from flask import Flask

from app.core.uow import CommandGroup

alerts_cli = CommandGroup("alerts", help="Near-due and overdue step alerts.")


@alerts_cli.command("scan")
def scan_command() -> None:
    """Scan open steps now and alert leaders (cron-friendly; the scheduler runs it periodically)."""
    from app.alerts.jobs import scan_once

    click.echo(f"created {scan_once()} alert(s)")


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.alerts import models  # noqa: F401
    from app.alerts.jobs import scan_deadlines
    from app.alerts.views import bp
    from app.auth.permissions import is_staff
    from app.core.web import add_nav_link
    from app.jobs.schedule import periodic

    periodic(app, scan_deadlines, every=lambda config: config["ALERT_SCAN_MINUTES"] * 60)
    app.register_blueprint(bp)
    app.cli.add_command(alerts_cli)
    add_nav_link(app, "alerts_pages.late", lazy_gettext("Sắp đến hạn / quá hạn"), is_staff)
