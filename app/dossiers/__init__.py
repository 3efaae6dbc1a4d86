from flask import Flask


def init_app(app: Flask) -> None:
    from app.dossiers import models  # noqa: F401
    from app.dossiers.api import blp
    from app.extensions import api

    api.register_blueprint(blp)
