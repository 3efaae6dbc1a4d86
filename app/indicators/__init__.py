"""Supervisor indicators (docs/domain.md, Indicators): the indicator engine, its API and the
dashboard pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.extensions import api
    from app.indicators.api import blp
    from app.indicators.permissions import can_see_indicators
    from app.indicators.views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    add_nav_link(app, "indicators_pages.dashboard", _l("Chỉ số giám sát"), can_see_indicators)
