"""Money: fee lines fixed at receipt, financial obligations notified during processing, payment online
through the national payment platform (`platform`: the whole contract; `simulator`: a stand-in on
loopback for `make run` and the tests) or at the counter, the electronic receipt of every payment,
and the daily reconciliation for the people who answer for a unit's money.

Routes: citizens POST /my/dossiers/<code>/payments and come back to /payments/return; the platform
confirms at POST /api/v1/payments/platform/notify; receipts and notices at
/payments/dossiers/<code>/...; officers at /work/dossiers/<code>/obligations/... and
/work/dossiers/<code>/counter-payments; overseers at /payments/reconciliation (and .xlsx) and
/payments/<id>/refund. The dossier pages include the panels `payments/_applicant_panel.html` and
`payments/_officer_panel.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from app.core.uow import CommandGroup

payments_cli = CommandGroup("payments", help="Payments: the platform simulator, pending payments.")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Ask the platform about pending online payments now (the scheduler does it periodically)."""
    from app.payments.online import reconcile_pending

    click.echo(f"pending payments: {reconcile_pending() or 'none to ask about'}")


@payments_cli.command("simulator")
@click.option("--port", default=5002, show_default=True)
def simulator_command(port: int) -> None:
    """Serve the payment platform simulator with this app's merchant code and key (development)."""
    from app.payments.simulator import serve

    serve(port, current_app.config["PAYMENT_MERCHANT_CODE"], current_app.config["PAYMENT_PLATFORM_KEY"])


def check_config(config: Mapping[str, Any]) -> None:
    """A platform URL without its key would sign nothing anyone can check: refuse to start."""
    if config.get("PAYMENT_PLATFORM_URL") and not (config.get("PAYMENT_PLATFORM_KEY") or "").strip():
        raise RuntimeError("PAYMENT_PLATFORM_URL is set but PAYMENT_PLATFORM_KEY is not")
    if config.get("PAYMENT_PLATFORM_URL") and not (config.get("PAYMENT_MERCHANT_CODE") or "").strip():
        raise RuntimeError("PAYMENT_PLATFORM_URL is set but PAYMENT_MERCHANT_CODE is not")


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.jobs.schedule import periodic
    from app.payments import fees, models, presenters  # noqa: F401  (tables; fee lines fixed at receipt)
    from app.payments.finance_views import bp as finance_bp
    from app.payments.jobs import reconcile_pending_payments
    from app.payments.permissions import can_reconcile
    from app.payments.receipts import render_unfinished_receipts
    from app.payments.views import bp, platform_bp
    from app.payments.work_views import bp as work_bp

    check_config(app.config)
    for blueprint in (bp, platform_bp, work_bp, finance_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals["payments_applicant_panel"] = presenters.applicant_panel
    app.jinja_env.globals["payments_officer_panel"] = presenters.officer_panel
    app.jinja_env.filters["vnd"] = presenters.vnd
    periodic(app, reconcile_pending_payments, every=lambda config: config["PAYMENT_RECONCILE_SECONDS"])
    periodic(app, render_unfinished_receipts, every=lambda config: config["SWEEP_SECONDS"] * 4)
    add_nav_link(app, "payments_finance.reconciliation", _l("Đối soát thu"), can_reconcile)
    app.cli.add_command(payments_cli)
