"""API authentication: bearer tokens only (pages use Flask-Login sessions with CSRF).

`require_api_user(*roles)` authenticates and authorises an API view; inside it the caller is
`flask_login.current_user`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from app.auth.models import User
from app.auth.roles import OFFICERS, Role
from app.auth.services import find_user_for_token
from app.core.errors import AuthenticationError, PermissionDeniedError


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return find_user_for_token(token.strip())


BEARER = "bearerAuth"  # the security scheme's name in the OpenAPI document (config API_SPEC_OPTIONS)


def require_api_user(*roles: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = bearer_user()
            if user is None:
                raise AuthenticationError("Cần đăng nhập: gửi header 'Authorization: Bearer <token>' hợp lệ")
            if roles and user.role not in roles:
                raise PermissionDeniedError("Vai trò của bạn không được phép thực hiện thao tác này")
            g._login_user = user  # Flask-Login's current_user for this request, without a session
            return view(*args, **kwargs)

        # The OpenAPI document says so: a bearer token, and 401/403 answers.
        doc = getattr(wrapper, "_apidoc", {})
        manual = doc.setdefault("manual_doc", {})
        manual["security"] = [{BEARER: []}]
        manual.setdefault("responses", {}).update({"401": "UNAUTHORIZED", "403": "FORBIDDEN"})
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper

    return decorator


def start_endpoint(user: User) -> str:
    """Where a user lands after signing in: officers at their unit's queues, supervisors at the
    indicators, administrators at the accounts, citizens at the portal."""
    if user.role in OFFICERS:
        return "queues_pages.index"
    if user.role == Role.SUPERVISOR:
        return "indicators_pages.dashboard"
    if user.role == Role.ADMIN:
        return "admin_pages.users"
    return "portal.index"


def is_staff(user: User) -> bool:
    """A civil servant's account (staff pages and links)."""
    return user.is_staff


def is_citizen(user: User) -> bool:
    """A citizen's account (the portal's own pages and links)."""
    return user.is_citizen
