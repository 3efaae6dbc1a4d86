from flask import Flask


def init_app(app: Flask) -> None:
    from app.auth import (
        models,  # noqa: F401
        throttle,  # noqa: F401  (signin_failures table)
    )
    from app.auth.api import blp
    from app.auth.cli import users_cli
    from app.auth.views import bp as pages
    from app.auth.views import second_factor_gate
    from app.extensions import api, db, login_manager

    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(users_cli)
    app.before_request(second_factor_gate)
    _answer_rate_limits(app)
    login_manager.login_view = "auth_pages.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(session_id: str):  # noqa: ANN202
        """The session names the account and its session version (User.get_id): a session signed in
        before the version last changed (sign-out, new password, deactivation) is no longer valid."""
        from app.auth.models import User

        user_id, _, version = (session_id or "").partition(".")
        if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 12 or len(version) > 12:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or not user.is_active_account:
            return None
        return user


def _answer_rate_limits(app: Flask) -> None:
    """A request over a per-address limit (Flask-Limiter) gets the site's error answer, 429, saying
    in the visitor's language what happened, and Retry-After: when the limit's window resets."""
    import time

    from flask_limiter.errors import RateLimitExceeded

    from app.core.errors import http_exception_response
    from app.extensions import limiter

    @app.errorhandler(RateLimitExceeded)
    def _over_the_limit(exc: RateLimitExceeded):  # noqa: ANN202
        response = http_exception_response(exc)
        current = limiter.current_limit
        seconds = int(current.reset_at - time.time()) if current is not None else 60
        response.headers["Retry-After"] = str(max(seconds, 1))
        return response
