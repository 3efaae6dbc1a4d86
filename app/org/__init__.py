from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import api
    from app.org import models  # noqa: F401  (register tables)
    from app.org.api import blp

    api.register_blueprint(blp)
