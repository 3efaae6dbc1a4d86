from flask import request
from flask_smorest import Blueprint

from app.auth.schemas import TokenRequestSchema, TokenSchema
from app.auth.services import authenticate, issue_token
from app.core.errors import ErrorSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Xác thực (authentication)")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed sign-ins: wait before trying again")
def create_token(body: dict) -> dict:
    """Exchange a username (or citizen ID) and password for an expiring bearer token."""
    user = authenticate(body["username"], body["password"], request.remote_addr or "")
    token, expires_at = issue_token(user)
    return {"token": token, "token_type": "Bearer", "expires_at": expires_at, "role": user.role}
