"""Representatives: authorisations (a principal lets another account file and follow its dossiers),
their pages, and who each recorded event was done for (`services.representation_of`)."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.representation import models  # noqa: F401  (authorisations tables)
    from app.representation.permissions import can_grant
    from app.representation.views import bp

    app.register_blueprint(bp)
    add_nav_link(app, "representation.index", _l("Ủy quyền"), can_grant)
