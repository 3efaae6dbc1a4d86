"""Official forms: the forms of the one-stop process (Mẫu), as PDFs.

Each transition declares the forms it issues by form-set key (receipt, supplement request,
refusal, apology, stop notice; the control sheet after every hand-off, and on demand with
``services.issue_control_form``); the form is the one of the set in force that day
(``catalog``: Circular 01/2018, then Circular 03/2025 from 15 Sep 2025), rendered by a job and
stored in the object store. Others use
``queries.list_forms(dossier_id)`` and link ready forms to
``url_for("official_forms_pages.download", code=..., form_id=...)``; staff pages offer the control
sheet with a form posting to ``url_for("official_forms_pages.issue_mau_05", code=...)`` (the
route keeps the 2018 number in its name). The tracking book of a unit and period lives at
``official_forms_pages.tracking_books``.
"""

import click
from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.uow import CommandGroup

official_forms_cli = CommandGroup("official-forms", help="Official forms (Mẫu 01-07) as PDFs.")


@official_forms_cli.command("render-pending")
@click.option("--older-than", default=60, show_default=True, help="seconds")
def render_pending_command(older_than: int) -> None:
    """Re-enqueue the rendering of forms and tracking books still pending or failed."""
    from app.official_forms.services import render_unfinished
    from app.official_forms.tracking import render_unfinished_books

    click.echo(f"re-enqueued {render_unfinished(older_than)} form(s)")
    click.echo(f"re-enqueued {render_unfinished_books(max(older_than, 300))} tracking book(s)")


def init_app(app: Flask) -> None:
    from app.auth.permissions import is_staff
    from app.core.web import add_nav_link
    from app.extensions import api
    from app.jobs.schedule import periodic
    from app.official_forms import models  # noqa: F401
    from app.official_forms.api import blp
    from app.official_forms.services import issue_forms_for_transition, render_unfinished, wants
    from app.official_forms.tracking import render_unfinished_books
    from app.official_forms.views import bp as pages
    from app.outbox.services import register_handler

    register_handler("dossier.transitioned", "official_forms", issue_forms_for_transition, wants)
    periodic(app, render_unfinished, every=lambda config: config["SWEEP_SECONDS"])
    periodic(app, render_unfinished_books, every=lambda config: config["SWEEP_SECONDS"] * 2)
    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(official_forms_cli)
    add_nav_link(app, "official_forms_pages.tracking_books", _l("Sổ theo dõi hồ sơ"), is_staff)
