"""Calendar domain: working days, working time and the SLA clock (docs/domain.md, Working time).

``clock`` is pure and importable without an app; the rest is wired up by ``init_app``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api

    from . import models  # noqa: F401  (registers the table with the metadata)
    from .api import blp
    from .cli import calendar_cli

    api.register_blueprint(blp)
    app.cli.add_command(calendar_cli)
