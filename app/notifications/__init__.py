"""Notifications to applicants: e-mail (SMTP) and SMS (logging backend), sent by rq jobs."""

import click
from flask import Flask

from app.core.uow import CommandGroup
from app.jobs import QUICK, job

notifications_cli = CommandGroup("notifications", help="E-mail and SMS to applicants.")


@notifications_cli.command("resend")
@click.option("--older-than", default=600, show_default=True, help="seconds")
@click.option("--max-attempts", default=10, show_default=True)
def resend_command(older_than: int, max_attempts: int) -> None:
    """Re-enqueue notifications not sent yet (the scheduler does it periodically)."""
    from app.notifications.services import resend_unsent

    click.echo(f"re-enqueued {resend_unsent(older_than, max_attempts)} notification(s)")


@job(queue=QUICK, timeout=120)
def resend_notifications() -> int:
    """Periodic: re-enqueue what a lost push left unsent (rq retries the failed ones itself)."""
    from flask import current_app

    from app.notifications.services import resend_unsent

    return resend_unsent(int(current_app.config["SWEEP_AFTER_SECONDS"]) * 2)


def init_app(app: Flask) -> None:
    from app.jobs.schedule import periodic
    from app.notifications import models  # noqa: F401
    from app.notifications.channels import check_config
    from app.notifications.services import notify_transition, wants
    from app.outbox.services import register_handler

    check_config(app.config)
    register_handler("dossier.transitioned", "notifications", notify_transition, wants)
    periodic(app, resend_notifications, every=lambda config: config["SWEEP_SECONDS"] * 2)
    app.cli.add_command(notifications_cli)
