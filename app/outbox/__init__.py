"""Outbox: facts recorded with the change that makes them true, handled by jobs after commit."""

import click
from flask import Flask, current_app

from app.core.uow import CommandGroup
from app.jobs import QUICK, job

outbox_cli = CommandGroup("outbox", help="After-commit work queue.")


@outbox_cli.command("sweep")
@click.option("--older-than", default=60, show_default=True, help="seconds")
def sweep_command(older_than: int) -> None:
    """Re-enqueue outbox messages that are still unprocessed."""
    from app.outbox.services import sweep

    click.echo(f"re-enqueued {sweep(older_than)} lane(s)")


@job(queue=QUICK, timeout=120)
def sweep_outbox() -> int:
    """Periodic: re-enqueue what a lost push or a dead worker left unhandled."""
    from app.outbox.services import sweep

    return sweep(int(current_app.config["SWEEP_AFTER_SECONDS"]))


def init_app(app: Flask) -> None:
    from app.jobs.schedule import periodic
    from app.outbox import models  # noqa: F401

    app.cli.add_command(outbox_cli)
    periodic(app, sweep_outbox, every=lambda config: config["SWEEP_SECONDS"])
