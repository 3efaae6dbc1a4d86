"""Workspace domain: the officer's dossier page (history, steps, documents with previews, forms and
exactly the actions the workflow engine offers) and counter intake (docs/domain.md, The one-stop workflow).

Other pages link to ``url_for("workspace.dossier", code=...)`` and ``url_for("workspace.intake_start")``.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.core.web import add_nav_link
    from app.workspace.permissions import can_intake
    from app.workspace.views import bp

    app.register_blueprint(bp)
    add_nav_link(app, "workspace.intake_start", lazy_gettext("Tiếp nhận tại quầy"), can_intake)
