"""Staff dossier search: every dossier a civil servant's unit holds or held (a supervisor's area, an
administrator's province), in any state, by code or the end of a code, applicant's name with or
without diacritics, citizen ID, phone, procedure and dates.

Routes: /work/search (page, "Tra cứu hồ sơ" in the staff menu), /api/v1/search/dossiers.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.auth.permissions import is_staff
    from app.core.web import add_nav_link
    from app.extensions import api
    from app.search import models  # noqa: F401  (register the table and its flush listener)
    from app.search.api import blp
    from app.search.views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    add_nav_link(app, "search_pages.search", lazy_gettext("Tra cứu hồ sơ"), is_staff)
