"""Citizen portal: the procedure catalogue, drafts of online applications and their submission.

Routes: /procedures, /procedures/<code>, /procedures/<code>/apply, /drafts, /drafts/<id> (form),
/drafts/<id>/documents/<doc_key> (upload or reuse), /drafts/<id>/review, /drafts/<id>/submit.
The home page (core.index) shows the same catalogue (`views.catalogue_context`).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.portal import (
        display,
        models,  # noqa: F401  (register tables)
    )
    from app.portal.draft_views import bp as drafts_bp
    from app.portal.views import bp as portal_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(drafts_bp)
    display.init_app(app)
    add_nav_link(app, "portal.procedures", _l("Thủ tục"))
    add_nav_link(app, "drafts.index", _l("Hồ sơ nháp"), when="citizen")
