import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask

from app.core.uow import CommandGroup

seed_cli = CommandGroup("seed", help="Load demo data, or a province's units from a CSV file.")


@seed_cli.command("demo")
@click.option(
    "--dossiers",
    type=click.IntRange(min=0),
    default=None,
    help="Dossiers in the demo history (default 300; 0: units and accounts only). Only adds what is missing.",
)
def seed_demo_command(dossiers: int | None) -> None:
    """The demo province An Giang: units and accounts, and where the structure changes on 1 July 2025
    (ORG_PERIODS, the default) both eras with a history of dossiers (idempotent)."""
    from app.demo.seed import DEMO_PASSWORD, seed_demo
    from app.org.structure import current_structure

    if current_structure().is_single:
        seed_demo()
        print(f"Demo data ready (one structure). Every demo account's password is '{DEMO_PASSWORD}'.")
        return
    from app.demo.history import DEFAULT_DOSSIERS, seed_history
    from app.demo.two_eras import seed_two_eras

    seed_two_eras()
    started = time.monotonic()
    with _quiet():  # the history's own e-mails, SMS and job logs are not printed
        report = seed_history(DEFAULT_DOSSIERS if dossiers is None else dossiers, progress=_progress)
    print(
        f"Demo data ready: both eras of An Giang; history +{report.added} dossiers ({report.closed} closed, "
        f"{report.in_progress} in progress), +{report.ratings} ratings, +{report.petitions} petitions, "
        f"{report.forms_rendered} forms rendered, in {time.monotonic() - started:.0f} s. "
        f"Every demo account's password is '{DEMO_PASSWORD}'."
    )
    if report.added:
        print("  The older dossiers' forms render with: flask --app wsgi official-forms render-pending")
    for problem in report.problems[:20]:
        print(f"  not done: {problem}")


@contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("app", "weasyprint", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _progress(done: int, total: int) -> None:
    if done % 50 == 0 or done == total:
        print(f"  history: {done}/{total} dossiers", flush=True)


@seed_cli.command("units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seed_units_command(csv_file: Path) -> None:
    """Load units from CSV_FILE (columns in app/demo/units_csv.py and the README): every problem is
    listed by line and nothing is loaded; units that exist already are kept as they are."""
    from app.core.errors import ValidationError
    from app.demo.units_csv import load_units_file

    try:
        result = load_units_file(csv_file)
    except ValidationError as exc:
        lines = "\n".join(f"  {where}: {problem}" for where, problem in (exc.details or {}).items())
        raise click.ClickException(f"{exc.message}:\n{lines}") from None
    print(
        f"{result.created} units created, {result.existing} already there; "
        f"{result.successions} successions and {result.service_areas} service areas in place."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_cli)
