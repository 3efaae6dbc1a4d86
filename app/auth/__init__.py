from flask import Flask


def init_app(app: Flask) -> None:
    from app.auth import (
        models,  # noqa: F401
        throttle,  # noqa: F401  (login_failures table)
    )
    from app.auth.api import blp
    from app.auth.cli import users_cli
    from app.auth.views import bp as pages
    from app.extensions import api, db, login_manager

    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(users_cli)
    login_manager.login_view = "auth_pages.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str):  # noqa: ANN202
        from app.auth.models import User

        return db.session.get(User, int(user_id))
