"""Electronic results: signed with the issuing agency's key at approval (PAdES, a visible block
with the QR code of a public verification page), signed uploads verified against a trust list,
and signed results pushed to the citizen's personal data store. Public page /ket-qua/<token>;
admin log /admin/results; CLI `flask results make-test-ca|verify|sweep|replay`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from app.core.uow import CommandGroup

results_cli = CommandGroup("results", help="Signed electronic results and the citizens' data stores.")


@results_cli.command("make-test-ca")
@click.option("--dir", "folder", default=None, help="Folder of the test CA (default RESULT_TEST_CA_DIR).")
def make_test_ca_command(folder: str | None) -> None:
    """Create a test certificate authority and a signing key for every unit (development only)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import Unit
    from app.results import keys

    if current_app.config.get("APP_ENV") == "production":
        raise click.ClickException("a test certificate authority is never used in production")
    target = Path(folder or current_app.config.get("RESULT_TEST_CA_DIR") or "instance/results-ca")
    created = keys.make_test_ca(target)
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    for unit in units:
        keys.issue_unit_key(target, unit.code, unit.name)
    click.echo(f"{'created' if created else 'kept'} the test CA in {target}; {len(units)} unit key(s)")
    click.echo(f"RESULT_TEST_CA_DIR={target}")


@results_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_command(path: str) -> None:
    """Check the signatures of a PDF against the configured trust list (exit 1 when not valid)."""
    from app.results.verification import verify_pdf

    verdict = verify_pdf(Path(path).read_bytes())
    for signature in verdict.signatures:
        click.echo(f"signed by {signature.subject} at {signature.signed_at} (issuer {signature.issuer})")
    if not verdict.is_valid:
        raise click.ClickException(verdict.problem or "not valid")
    click.echo("OK: every signature is valid and trusted")


@results_cli.command("sweep")
def sweep_command() -> None:
    """Enqueue every push to the data stores that is due."""
    from app.results.datastore import sweep_once

    click.echo(f"enqueued {sweep_once()} push(es)")


@results_cli.command("replay")
@click.argument("push_ids", nargs=-1, type=int)
def replay_command(push_ids: tuple[int, ...]) -> None:
    """Send dead pushes again (the given ids, or all of them)."""
    from app.results.datastore import replay

    click.echo(f"replayed {replay(list(push_ids) or None)} push(es)")


def init_app(app: Flask) -> None:
    from app.jobs.schedule import periodic
    from app.outbox.services import register_handler
    from app.results import models  # noqa: F401
    from app.results.datastore import TOPIC, create_pushes, sweep_data_store, wants
    from app.results.views import admin_bp, bp

    register_handler(TOPIC, "results", create_pushes, wants)
    periodic(app, sweep_data_store, every=lambda config: config["DELIVERY_SWEEP_SECONDS"])
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.cli.add_command(results_cli)
