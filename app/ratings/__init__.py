"""Satisfaction ratings (Decision 766, group 5): one per dossier, by its owner, after the result is
returned."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api
    from app.ratings import models  # noqa: F401
    from app.ratings.api import blp

    api.register_blueprint(blp)
