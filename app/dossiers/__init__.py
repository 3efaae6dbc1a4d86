from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.core.web import add_nav_link
    from app.dossiers import models  # noqa: F401
    from app.dossiers.api import blp
    from app.dossiers.views import bp as pages
    from app.extensions import api

    api.register_blueprint(blp)
    app.register_blueprint(pages)
    add_nav_link(app, "dossiers_pages.index", lazy_gettext("Hồ sơ của tôi"), "citizen")
    add_nav_link(app, "dossiers_pages.track", lazy_gettext("Tra cứu hồ sơ"), "always")
