from flask import request
from flask_smorest import Blueprint

from app.auth.schemas import TokenRequestSchema, TokenSchema
from app.auth.services import authenticate, issue_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Xác thực (authentication)")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(body: dict) -> dict:
    """Exchange a username (or citizen ID) and password for an expiring bearer token."""
    user = authenticate(body["username"], body["password"], request.remote_addr or "")
    token, expires_at = issue_token(user)
    return {"token": token, "token_type": "Bearer", "expires_at": expires_at, "role": user.role}
