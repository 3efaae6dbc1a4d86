"""One error family, mapped once to the JSON error shape and to HTML error pages.

JSON shape: ``{"error": {"code": ..., "message": ..., "details": ...}}``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code


class ValidationError(AppError):
    status = 422
    code = "validation_error"


class AuthenticationError(AppError):
    status = 401
    code = "unauthenticated"


class PermissionDeniedError(AppError):
    status = 403
    code = "forbidden"


class NotFoundError(AppError):
    status = 404
    code = "not_found"


class ConflictError(AppError):
    status = 409
    code = "conflict"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"


class PayloadTooLargeError(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaError(AppError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequestsError(AppError):
    status = 429
    code = "too_many_requests"


class ServiceUnavailableError(AppError):
    status = 503
    code = "service_unavailable"


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.Str(metadata={"description": "Mã lỗi máy đọc: validation_error, not_found, …"})
    message = ma.fields.Str(metadata={"description": "Thông báo cho người dùng (tiếng Việt)"})
    details = ma.fields.Raw(allow_none=True, metadata={"description": "Các trường có lỗi, nếu có"})


class ErrorSchema(ma.Schema):
    """The one error shape of the API, as `respond` writes it (and the OpenAPI document declares)."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ status }} - {{ message }}</title>
<main style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<h1>{{ status }}</h1><p>{{ message }}</p><p><a href="/">Về trang chủ / Home</a></p></main></html>"""


RETRY_AFTER_SECONDS = 30  # told to clients of a 503: the database or the store is back by then, mostly


# The page titles of errors (translated on the page); the message says what exactly went wrong.
_TITLES = {
    400: lazy_gettext("Yêu cầu không hợp lệ"),
    401: lazy_gettext("Cần đăng nhập"),
    403: lazy_gettext("Không có quyền truy cập"),
    404: lazy_gettext("Không tìm thấy"),
    405: lazy_gettext("Thao tác không được hỗ trợ"),
    409: lazy_gettext("Hồ sơ vừa thay đổi"),
    413: lazy_gettext("Tệp quá lớn"),
    415: lazy_gettext("Loại tệp không được chấp nhận"),
    422: lazy_gettext("Dữ liệu không hợp lệ"),
    429: lazy_gettext("Quá nhiều yêu cầu"),
    503: lazy_gettext("Hệ thống tạm thời gián đoạn"),
}
# What werkzeug says in English when a route or method does not exist, said in Vietnamese.
_HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang hoặc tài nguyên này. Kiểm tra lại địa chỉ.",
    405: "Phương thức này không được hỗ trợ cho địa chỉ này.",
    413: "Dữ liệu gửi lên vượt quá dung lượng cho phép.",
}


def _page(status: int, message: str, *, plain: bool) -> str:
    """The site's own error page; `plain` (or if that cannot render) a page without the site's
    context (navigation, the signed-in user), which may be what failed."""
    if not plain:
        try:
            return render_template(
                "error.html", status=status, title=_TITLES.get(status, status), message=message
            )
        except Exception:  # noqa: BLE001 (the error page must answer whatever is broken)
            current_app.logger.exception("the error page could not be rendered; answering the plain one")
    return current_app.jinja_env.from_string(_PAGE).render(status=status, message=message)


def respond(status: int, code: str, message: str, details: Any = None, *, plain: bool = False):  # noqa: ANN201
    if _wants_json():
        answer = jsonify(error_body(code, message, details))
    else:
        answer = current_app.make_response(_page(status, message, plain=plain or status == 503))
    answer.status_code = status
    if status == 503:
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif status == 429 and isinstance(details, dict) and isinstance(details.get("retry_after"), int):
        answer.headers["Retry-After"] = str(details["retry_after"])  # a throttled key (app.auth.throttle)
    return answer


DATABASE_UNAVAILABLE = "Cơ sở dữ liệu tạm thời không phản hồi; vui lòng thử lại sau ít phút"
QUERY_TOO_LONG = "Truy vấn chạy quá lâu và đã được dừng; hãy thu hẹp phạm vi hoặc khoảng thời gian"


def database_error_response(exc: Exception):  # noqa: ANN201
    """The database could not answer (down, restarting, or a statement cut by its timeout): 503 with
    Retry-After; the unit of work is rolled back, so nothing of the request was saved."""
    if type(getattr(exc, "orig", None)).__name__ == "QueryCanceled":
        return respond(503, "service_unavailable", QUERY_TOO_LONG)
    return respond(503, "service_unavailable", DATABASE_UNAVAILABLE)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def http_exception_response(exc: HTTPException):  # noqa: ANN201
    status = exc.code or 500
    details = None
    data = getattr(exc, "data", None)  # webargs / flask-smorest put parse errors here
    if isinstance(data, dict) and "messages" in data:
        details = data["messages"]
        # webargs nests by location ("json", "query", "form", "files"); flatten a single location.
        if isinstance(details, dict) and len(details) == 1:
            details = next(iter(details.values()))
    message = exc.description or exc.name
    if message == type(exc).description:  # werkzeug's own English sentence
        message = _HTTP_MESSAGES.get(status, message)
    if status == 422 and details:
        message = "Dữ liệu không hợp lệ: " + ", ".join(sorted(map(str, details)))
    return respond(status, _HTTP_CODES.get(status, "http_error"), message, details)


def register_error_handlers(app: Flask) -> None:
    from app.core import uow

    @app.errorhandler(AppError)
    def _app_error(exc: AppError):  # noqa: ANN202
        uow.rollback()  # an error answer writes nothing (but what must stand even on failure)
        return respond(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # noqa: ANN202
        return http_exception_response(exc)

    from sqlalchemy.exc import OperationalError

    @app.errorhandler(OperationalError)
    def _database_error(exc: OperationalError):  # noqa: ANN202
        try:
            uow.rollback()
        except OperationalError:  # the connection is gone: nothing to roll back
            pass
        return database_error_response(exc)
