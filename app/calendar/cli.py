"""``flask --app wsgi calendar ...``: the same services the admin API uses."""

from __future__ import annotations

from datetime import date, datetime

import click

from app.core.errors import AppError
from app.core.time import VN_TZ
from app.core.uow import CommandGroup

from . import services
from .clock import DAY_KINDS

calendar_cli = CommandGroup("calendar", help="Working calendar: days off and make-up working days.")


def _day(value: datetime) -> date:
    return value.date()


DAY = click.DateTime(formats=["%Y-%m-%d"])


@calendar_cli.command("set")
@click.argument("day", type=DAY, metavar="YYYY-MM-DD")
@click.option("--kind", required=True, type=click.Choice(DAY_KINDS))
@click.option("--note", default="", help="Reason shown to staff, e.g. the decision number.")
def set_command(day: datetime, kind: str, note: str) -> None:
    """Mark DAY (YYYY-MM-DD) as a day off or a make-up working day."""
    try:
        row = services.set_day(_day(day), kind, note)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{row.day.isoformat()} {row.kind} {row.note}".rstrip())


@calendar_cli.command("clear")
@click.argument("day", type=DAY, metavar="YYYY-MM-DD")
def clear_command(day: datetime) -> None:
    """Remove the admin entry for DAY; it falls back to public holidays / Mon–Fri."""
    try:
        services.clear_day(_day(day))
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{_day(day).isoformat()} cleared")


@calendar_cli.command("list")
@click.option("--year", type=click.IntRange(1970, 2200), default=None, help="Default: current year.")
def list_command(year: int | None) -> None:
    """List weekday days off and working weekend days of a year, with their source."""
    for item in services.list_days(year or datetime.now(VN_TZ).year):
        click.echo(f"{item.day.isoformat()}  {item.kind:<11}  {item.source:<7}  {item.note}".rstrip())
