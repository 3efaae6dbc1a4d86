"""Page-wide concerns: CSRF on every form post (the JSON API uses bearer tokens instead), security
headers, and template helpers shared by every domain's pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, Response, request

from app.core.time import to_local


def local_time(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """Vietnamese official style: hh:mm dd/mm/yyyy, in Asia/Ho_Chi_Minh."""
    return "" if value is None else to_local(value).strftime(fmt)


def local_date(value: datetime | None) -> str:
    return local_time(value, "%d/%m/%Y")


def add_nav_link(app: Flask, endpoint: str, label: object, when: str = "always") -> None:
    """Let a domain put a link in the top navigation. `label` is a lazy_gettext string; `when` is
    "always", "signed_in", "citizen", "staff", "officer" (reception, specialist, leader),
    "supervisor" (supervisor, leader, admin), "reception" or "admin"."""
    app.extensions.setdefault("nav_links", []).append((endpoint, label, when))


def _visible(when: str) -> bool:
    from flask_login import current_user

    signed_in = current_user.is_authenticated
    return {
        "always": True,
        "signed_in": signed_in,
        "citizen": signed_in and current_user.role == "citizen",
        "staff": signed_in and current_user.role != "citizen",
        "admin": signed_in and current_user.role == "admin",
        "reception": signed_in and current_user.role == "reception",
        "officer": signed_in and current_user.role in ("reception", "specialist", "leader"),
        "supervisor": signed_in and current_user.role in ("supervisor", "leader", "admin"),
    }[when]


def init_app(app: Flask) -> None:
    from flask import current_app
    from flask_wtf.csrf import CSRFError

    from app.core.errors import respond
    from app.extensions import csrf

    @app.context_processor
    def _navigation() -> dict:
        links = current_app.extensions.get("nav_links", [])
        return {"nav_links": [(e, label) for e, label, when in links if _visible(when)]}

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):  # noqa: ANN202
        from flask_babel import gettext

        message = gettext("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi gửi lại.")
        return respond(400, "csrf_failed", message)

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a long form (with uploads) must not expire
    csrf.init_app(app)

    @app.before_request
    def _protect_forms() -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
            csrf.protect()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["dict_without_none"] = lambda d: {k: v for k, v in d.items() if v is not None}
    app.jinja_env.filters["local_date"] = local_date
