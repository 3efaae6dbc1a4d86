"""Notifications to applicants: e-mail (SMTP) and SMS (logging backend), sent by rq jobs."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.notifications import models  # noqa: F401
    from app.notifications.channels import check_config
    from app.notifications.services import notify_transition
    from app.outbox.services import register_handler

    check_config(app.config)
    register_handler("dossier.transitioned", notify_transition)
