"""Supervisor indicators (DOMAIN §10, issue 5): the indicator engine and its API."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api
    from app.indicators.api import blp

    api.register_blueprint(blp)
