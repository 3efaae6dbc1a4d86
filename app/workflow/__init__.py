"""The dossier lifecycle: the workflow engine (the only way a dossier's state changes), its guards
and actions, the use cases built on it (submission, documents, supplements) and the dossier API."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api
    from app.workflow.api import blp

    api.register_blueprint(blp)
