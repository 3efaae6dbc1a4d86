from flask import request
from flask_smorest import Blueprint

from app.auth import throttle
from app.auth.schemas import TokenRequestSchema, TokenSchema
from app.auth.services import authenticate, check_second_factor, issue_token
from app.core.errors import AuthenticationError, ErrorSchema, PermissionDeniedError

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Xác thực (authentication)")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(
    401, schema=ErrorSchema, description="Wrong username or password, or a wrong or missing code"
)
@blp.alt_response(
    403, schema=ErrorSchema, description="A deactivated account, or staff without a second factor yet"
)
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed sign-ins: wait before trying again")
@throttle.ADDRESS_LIMIT
def create_token(body: dict) -> dict:
    """Exchange a username (or citizen ID) and password, and for staff the code of their
    authenticator app (`otp`), for an expiring bearer token."""
    address = request.remote_addr or ""
    user = authenticate(body["username"], body["password"], address)
    if user.needs_second_factor:
        if not user.has_second_factor:
            raise PermissionDeniedError(
                "Tài khoản cán bộ cần thiết lập xác thực hai lớp: đăng nhập trên trang web một lần trước"
            )
        if not body.get("otp"):
            raise AuthenticationError(
                "Cần mã xác thực hai lớp", {"otp": "Nhập mã 6 chữ số của ứng dụng xác thực"}
            )
        check_second_factor(user, body["otp"], address, field="otp")
    token, expires_at = issue_token(user)
    return {"token": token, "token_type": "Bearer", "expires_at": expires_at, "role": user.role}
