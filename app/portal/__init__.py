"""Citizen portal: the home page and procedure catalogue, drafts of online applications and their
submission, the citizen's own dossiers (timeline, supplement, withdrawal, result, rating) and public
tracking by code.

Routes: /, /procedures, /procedures/<code>, /procedures/<code>/apply, /drafts, /drafts/<id> (form),
/drafts/<id>/documents/<doc_key> (upload or reuse), /drafts/<id>/review, /drafts/<id>/submit,
/my/dossiers, /my/dossiers/<code> (and its supplement, withdraw, result, rating), /track.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.auth.permissions import is_citizen
    from app.core.web import add_nav_link
    from app.portal import (
        models,  # noqa: F401  (register tables)
        presenters,
    )
    from app.portal.dossier_views import bp as my_dossiers_bp
    from app.portal.draft_views import bp as drafts_bp
    from app.portal.views import bp as portal_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(my_dossiers_bp)
    presenters.init_app(app)
    add_nav_link(app, "my_dossiers.index", _l("Hồ sơ của tôi"), is_citizen)
    # Public tracking for visitors and citizens; staff have their own search (app.search).
    add_nav_link(app, "my_dossiers.track", _l("Tra cứu hồ sơ"), is_citizen, public=True)
    add_nav_link(app, "portal.procedures", _l("Thủ tục"))
    add_nav_link(app, "drafts.index", _l("Hồ sơ nháp"), is_citizen)
