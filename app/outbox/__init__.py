import click
from flask import Flask
from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="After-commit work queue.")


@outbox_cli.command("sweep")
@click.option("--older-than", default=60, show_default=True, help="seconds")
def sweep_command(older_than: int) -> None:
    """Re-enqueue outbox messages that are still unprocessed."""
    from app.outbox.services import sweep

    click.echo(f"re-enqueued {sweep(older_than)} message(s)")


def init_app(app: Flask) -> None:
    from app.outbox import models  # noqa: F401

    app.cli.add_command(outbox_cli)
