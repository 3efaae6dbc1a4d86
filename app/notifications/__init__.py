"""Notifications to applicants: e-mail (SMTP) and SMS (logging backend), sent by rq jobs."""

import click
from flask import Flask
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="E-mail and SMS to applicants.")


@notifications_cli.command("resend")
@click.option("--older-than", default=600, show_default=True, help="seconds")
@click.option("--max-attempts", default=10, show_default=True)
def resend_command(older_than: int, max_attempts: int) -> None:
    """Re-enqueue notifications not sent yet (run it periodically, like `outbox sweep`)."""
    from app.notifications.services import resend_unsent

    click.echo(f"re-enqueued {resend_unsent(older_than, max_attempts)} notification(s)")


def init_app(app: Flask) -> None:
    from app.notifications import models  # noqa: F401
    from app.notifications.channels import check_config
    from app.notifications.services import notify_transition
    from app.outbox.services import register_handler

    check_config(app.config)
    register_handler("dossier.transitioned", notify_transition)
    app.cli.add_command(notifications_cli)
