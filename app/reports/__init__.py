"""Reports domain: a monthly indicator report PDF per unit (A4, Vietnamese, charts), made by a
periodic job from the 1st of each month for the month before, stored in the object store and
listed at /reports (``reports_pages.index``) for the user's unit and its sub-units.

CLI: `flask reports monthly [--month YYYY-MM] [--unit CODE]` (by hand or from cron),
`flask reports render-pending`.
"""

from __future__ import annotations

import click
from flask import Flask

from app.core.errors import ValidationError
from app.core.uow import CommandGroup

reports_cli = CommandGroup("reports", help="Monthly indicator reports (PDF per unit).")


@reports_cli.command("monthly")
@click.option("--month", help="YYYY-MM; default: last month (Vietnam time)")
@click.option("--unit", "unit_code", help="agency code of one unit; default: every reporting unit")
def monthly_command(month: str | None, unit_code: str | None) -> None:
    """Make the month's reports that are missing and queue their rendering (safe to run again)."""
    from app.reports.services import create_monthly_reports, parse_month, previous_month

    try:
        run = create_monthly_reports(parse_month(month) if month else previous_month(), unit_code)
    except ValidationError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{run.month:%Y-%m}: {run.units} unit(s), {run.created} new report(s), {run.queued} queued")


@reports_cli.command("render-pending")
@click.option("--older-than", default=600, show_default=True, help="seconds")
def render_pending_command(older_than: int) -> None:
    """Re-enqueue the rendering of reports still pending, rendering or failed after a while."""
    from app.reports.jobs import render_unfinished_reports

    click.echo(f"re-enqueued {render_unfinished_reports(older_than)} report(s)")


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.auth.permissions import is_staff
    from app.core.web import add_nav_link
    from app.jobs.schedule import periodic
    from app.reports import models  # noqa: F401
    from app.reports.jobs import RUN_CRON, render_unfinished_reports, run_monthly
    from app.reports.views import bp

    periodic(app, run_monthly, cron=RUN_CRON)
    periodic(app, render_unfinished_reports, every=lambda config: config["SWEEP_SECONDS"] * 10)
    app.register_blueprint(bp)
    app.cli.add_command(reports_cli)
    add_nav_link(app, "reports_pages.index", lazy_gettext("Báo cáo định kỳ"), is_staff)
