"""Dossiers filed on the National Public Service Portal (Cổng Dịch vụ công quốc gia), received here
through the provincial integration platform (LGSP), and the procedure catalogue kept in step with the
national procedure database.

`receiving` makes filings dossiers (through app.workflow.submission), `jobs` imports, polls and
sweeps, `views` holds the LGSP's signed door and the pages (held filings for the provincial centre,
the admin's overview and the catalogue). The contract itself lives next to the outbound mapping in
app.national: `inbound` (the field mapping), `catalogue` (localised codes), `transport`, `documents`,
`models` (the filing record, which the outbound messages read) and `simulator` (a development
stand-in for the portal). Every status change of such a dossier goes back through app.sync.
CLI: `flask national poll|sweep|export-catalogue|compare-catalogue`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask

from app.core.uow import CommandGroup

national_cli = CommandGroup("national", help="Dossiers from the national portal; the procedure catalogue.")


@national_cli.command("poll")
def poll_command() -> None:
    """Take one page of filings the portal offers now (cron-friendly)."""
    from app.inbound.jobs import poll_once

    report = poll_once()
    click.echo(f"{report.offered} offered: {report.new} new, {report.duplicates} duplicate(s)")
    for message_id, why in report.refused.items():
        click.echo(f"refused {message_id}: {why}")


@national_cli.command("sweep")
def sweep_command() -> None:
    """Ask for the import of every pending filing that is due."""
    from app.inbound.jobs import sweep_once

    click.echo(f"enqueued {sweep_once()} filing(s)")


@national_cli.command("export-catalogue")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_command(fmt: str, output: Path | None) -> None:
    """The procedures in force today with their codes, for the national procedure database."""
    from app.inbound import presenters
    from app.national import catalogue

    today = _today()
    text = (
        catalogue.export_json(today, presenters.province_code())
        if fmt == "json"
        else catalogue.export_csv(today)
    )
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"written {output}")


@national_cli.command("compare-catalogue")
@click.argument("national_list", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def compare_command(national_list: Path) -> None:
    """Compare the national database's list (JSON or CSV) with the procedures in force today."""
    from app.national import catalogue

    try:
        rows = catalogue.read_national_list(national_list.read_bytes(), national_list.name)
    except catalogue.CatalogueFileError as exc:
        raise click.ClickException(str(exc)) from exc
    report = catalogue.compare(rows, _today())
    click.echo(f"{report.matched} in both")
    for row in report.missing_here:
        click.echo(f"missing here:  {row['MaTTHC']}  {row['TenTTHC']}")
    for row in report.missing_there:
        click.echo(f"missing there: {row['MaTTHC']}  {row['TenTTHC']}")
    for mine, theirs in report.renamed:
        click.echo(f"renamed:       {mine['MaTTHC']}  here '{mine['TenTTHC']}', there '{theirs['TenTTHC']}'")


def _today() -> date:
    from app.core.db import utcnow
    from app.core.time import to_local

    return to_local(utcnow()).date()


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.extensions import csrf
    from app.inbound.jobs import poll_national_portal, sweep_inbound
    from app.inbound.permissions import can_resolve
    from app.inbound.views import admin_bp, api_bp, work_bp
    from app.jobs.schedule import periodic
    from app.national import catalogue, models  # noqa: F401

    catalogue.init_app(app)
    csrf.exempt(api_bp)  # the LGSP signs its calls; no session, no form
    for blueprint in (api_bp, work_bp, admin_bp):
        app.register_blueprint(blueprint)
    periodic(app, poll_national_portal, every=lambda config: config["INBOUND_POLL_SECONDS"])
    periodic(app, sweep_inbound, every=lambda config: config["INBOUND_SWEEP_SECONDS"])
    app.cli.add_command(national_cli)
    add_nav_link(app, "national_pages.held", _nav_label(), shown_to=can_resolve)


def _nav_label():  # noqa: ANN202
    from flask_babel import lazy_gettext

    return lazy_gettext("Hồ sơ Cổng DVC chờ xác định thủ tục")
