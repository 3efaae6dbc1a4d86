"""Page-wide concerns: CSRF on every form post (the JSON API uses bearer tokens instead), security
headers (Content-Security-Policy, HSTS in production, frame, content-type and referrer options), and
template helpers shared by every domain's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

from app.core.numbers import format_number, format_percent
from app.core.time import to_local


# Scripts only from this site's own files (no inline script or event handler anywhere); inline
# style attributes are still allowed (the official forms' print layout uses them). Pages are framed by
# no other site. Files are shown from the S3 server (presigned links) in previews.
def content_security_policy(config: Any) -> str:
    files = ""
    if config.get("STORAGE_BACKEND") == "s3" and config.get("S3_ENDPOINT"):
        files = f" {'https' if config.get('S3_SECURE') else 'http'}://{config['S3_ENDPOINT']}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{files}",
            f"frame-src 'self'{files}",
            f"media-src 'self'{files}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'self'",
        ]
    )


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
    app: Flask,
    endpoint: str,
    label: object,
    shown_to: Callable[[Any], bool] | None = None,
    *,
    public: bool = False,
) -> None:
    """Let a domain put a link in the top navigation. `label` is a lazy_gettext string; `shown_to`
    is the domain's own predicate on the signed-in user (a `can_*` of its permissions), else the
    link is shown to everyone. `public`: also shown to visitors who have not signed in."""
    app.extensions.setdefault("nav_links", []).append((endpoint, label, shown_to, public))


def _visible(shown_to: Callable[[Any], bool] | None, public: bool) -> bool:
    from flask_login import current_user

    if not current_user.is_authenticated:
        return shown_to is None or public
    return shown_to is None or shown_to(current_user)


def init_app(app: Flask) -> None:
    from flask import current_app
    from flask_wtf.csrf import CSRFError

    from app.core.errors import respond
    from app.extensions import csrf

    @app.context_processor
    def _navigation() -> dict:
        links = current_app.extensions.get("nav_links", [])
        return {
            "nav_links": [(e, label) for e, label, shown_to, public in links if _visible(shown_to, public)]
        }

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
        response.headers.setdefault("Content-Security-Policy", content_security_policy(current_app.config))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("X-Frame-Options", "DENY")
        if current_app.config.get("APP_ENV") == "production" and request.is_secure:  # HTTPS only from now on
            hsts = f"max-age={int(current_app.config['HSTS_SECONDS'])}; includeSubDomains"
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["dict_without_none"] = lambda d: {k: v for k, v in d.items() if v is not None}
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["number"] = format_number  # 1.234.567 / 1,234,567 (app.core.numbers)
    app.jinja_env.filters["percent"] = format_percent  # 12,5 % / 12.5%
