"""Documents domain: the official forms of the one-stop process as PDFs (DOMAIN §4).

Mẫu 01 (receipt and appointment), 02 (supplement request), 03 (refusal) and 04 (apology and new
appointment) are issued by the transitions that call for them, rendered by a job and stored in the
object store. Others use ``queries.list_forms(dossier_id)`` and link ready forms to
``url_for("documents_pages.download", code=..., form_id=...)``.
"""

import click
from flask import Flask
from flask.cli import AppGroup

documents_cli = AppGroup("documents", help="Official forms (Mẫu 01-04) as PDFs.")


@documents_cli.command("render-pending")
@click.option("--older-than", default=60, show_default=True, help="seconds")
def render_pending_command(older_than: int) -> None:
    """Re-enqueue the rendering of forms still pending or failed."""
    from app.documents.services import render_unfinished

    click.echo(f"re-enqueued {render_unfinished(older_than)} form(s)")


def init_app(app: Flask) -> None:
    from app.documents import models  # noqa: F401
    from app.documents.api import blp
    from app.documents.services import issue_forms_for_transition
    from app.documents.views import bp as pages
    from app.extensions import api
    from app.outbox.services import register_handler

    register_handler("dossier.transitioned", issue_forms_for_transition)
    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(documents_cli)
