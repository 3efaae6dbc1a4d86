"""Page-wide concerns: CSRF on every form post (the JSON API uses bearer tokens instead), security
headers, and template helpers shared by every domain's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

from app.core.time import to_local


def local_time(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """Vietnamese official style: hh:mm dd/mm/yyyy, in Asia/Ho_Chi_Minh."""
    return "" if value is None else to_local(value).strftime(fmt)


def local_date(value: datetime | None) -> str:
    return local_time(value, "%d/%m/%Y")


def local_url(candidate: str | None, fallback: str) -> str:
    """`candidate` when it is a path on this site, else `fallback`: a redirect after sign-in or a
    form goes nowhere else. Browsers read a backslash as a slash and skip leading blanks and control
    characters, so `/\\evil.example`, `//evil.example` and ` //evil.example` are all refused; so is
    anything with a scheme or a host, even this site's (a path is all a page here ever needs)."""
    if not candidate or "\\" in candidate or any(ord(c) < 0x21 or ord(c) == 0x7F for c in candidate):
        return fallback
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not candidate.startswith("/") or candidate.startswith("//"):
        return fallback
    return candidate


def add_nav_link(
    app: Flask, endpoint: str, label: object, shown_to: Callable[[Any], bool] | None = None
) -> None:
    """Let a domain put a link in the top navigation. `label` is a lazy_gettext string; `shown_to`
    is the domain's own predicate on the signed-in user (a `can_*` of its permissions), else the
    link is shown to everyone."""
    app.extensions.setdefault("nav_links", []).append((endpoint, label, shown_to))


def _visible(shown_to: Callable[[Any], bool] | None) -> bool:
    from flask_login import current_user

    return shown_to is None or (current_user.is_authenticated and shown_to(current_user))


def init_app(app: Flask) -> None:
    from flask import current_app
    from flask_wtf.csrf import CSRFError

    from app.core.errors import respond
    from app.extensions import csrf

    @app.context_processor
    def _navigation() -> dict:
        links = current_app.extensions.get("nav_links", [])
        return {"nav_links": [(e, label) for e, label, shown_to in links if _visible(shown_to)]}

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
