"""A development stand-in for VNeID: a real OpenID Connect provider on loopback, NOT VNeID.

`make run` starts it beside the application (`python -m app.identity.demo_provider`), and the tests
start it in a thread, so the sign-in code always talks to a real provider over HTTP: discovery
document, authorization endpoint with its own sign-in page, token endpoint (client secret, PKCE
S256), JWKS with key rotation, userinfo. It is built on Authlib's server side; its accounts are the
demo identities below (listed in the README), each with the password `demo12345`. Nothing in it is
used by the application itself: it is a separate WSGI application on its own port.
"""

from __future__ import annotations

import argparse
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, render_template_string, request
from joserfc.jwk import RSAKey

DEMO_PASSWORD = "demo12345"  # noqa: S105 (the stand-in's published demo password)
SCOPES = ("openid", "profile", "email", "phone", "organization")
CODE_SECONDS = 300


@dataclass(frozen=True)
class DemoAccount:
    """One identity of the stand-in: what is typed on its page, and the claims it answers with."""

    login: str  # personal ID number, or an organisation's tax code
    name: str
    claims: dict[str, Any]
    is_organisation: bool = False
    password: str = DEMO_PASSWORD

    @property
    def subject(self) -> str:
        return "demo-" + self.login


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "089085000111",
        "Trần Văn Định",
        {
            "personal_id": "089085000111",
            "birthdate": "1985-03-12",
            "phone_number": "0912000111",
            "phone_number_verified": True,
            "email": "dinh.tv@example.vn",
            "email_verified": True,
            "assurance_level": 2,
        },
    ),
    DemoAccount(
        "089190000222",
        "Lê Thị Hoa",
        {
            "personal_id": "089190000222",
            "birthdate": "1990-08-02",
            "phone_number": "0912000222",
            "phone_number_verified": True,
            "email": "hoa.lt@example.vn",
            "email_verified": True,
            "assurance_level": 2,
        },
    ),
    DemoAccount(
        "089095000333",
        "Phạm Văn Mức Một",
        {"personal_id": "089095000333", "birthdate": "1995-01-20", "assurance_level": 1},
    ),
    DemoAccount(
        "1601234567",
        "Công ty TNHH Nông sản Châu Thành",
        {
            "tax_code": "1601234567",
            "organization_name": "Công ty TNHH Nông sản Châu Thành",
            "legal_representative_name": "Trần Văn Định",
            "legal_representative_personal_id": "089085000111",
            "phone_number": "02963000567",
            "phone_number_verified": True,
            "email": "lienhe@nongsanchauthanh.example.vn",
            "email_verified": True,
            "assurance_level": 2,
        },
        is_organisation=True,
    ),
)


@dataclass
class DemoClient(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class IssuedCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    login: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None


class DemoProvider:
    """The stand-in's state (clients, keys, codes, tokens) and its Flask application."""

    def __init__(self, issuer: str, accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS) -> None:
        self.issuer = issuer.rstrip("/")
        self.accounts = {a.login: a for a in accounts}
        self.clients: dict[str, DemoClient] = {}
        self.codes: dict[str, IssuedCode] = {}
        self.tokens: dict[str, tuple[str, str, float]] = {}  # access token -> (login, scope, expires)
        self.keys: list[RSAKey] = []
        self.lock = threading.Lock()
        self.rotate_keys()

    # --- configuration -----------------------------------------------------------------------

    def register_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.clients[client_id] = DemoClient(client_id, client_secret, list(redirect_uris))

    def rotate_keys(self, *, keep_previous: bool = True) -> str:
        """A new signing key (its kid returned); the previous one stays published unless told not to."""
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        key.ensure_kid()
        with self.lock:
            self.keys = [key, *self.keys[:1]] if keep_previous else [key]
        return str(key.kid)

    @property
    def signing_key(self) -> RSAKey:
        return self.keys[0]

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            return {"keys": [k.as_dict(private=False) for k in self.keys]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": sorted(
                {"sub", "name", *(k for a in self.accounts.values() for k in a.claims)}
            ),
        }

    # --- what an ID token and userinfo say (a test provider may say otherwise) ---------------------

    def user_claims(self, account: DemoAccount, scope: str) -> dict[str, Any]:
        """The account's claims; contacts only with the email / phone scopes."""
        scopes = set(scope.split())
        claims = {"sub": account.subject, "name": account.name, **account.claims}
        if "email" not in scopes:
            claims = {k: v for k, v in claims.items() if not k.startswith("email")}
        if "phone" not in scopes:
            claims = {k: v for k, v in claims.items() if not k.startswith("phone")}
        return claims

    def id_token_claims(self, client_id: str) -> dict[str, Any]:
        """The envelope of every ID token: issuer, audience, lifetime."""
        now = int(time.time())
        return {"iss": self.issuer, "aud": [client_id], "iat": now, "exp": now + 600}

    def id_token_key(self) -> tuple[RSAKey, str]:
        """The key the ID tokens are signed with, and the kid their header names."""
        key = self.signing_key
        return key, str(key.kid)

    # --- the application ------------------------------------------------------------------------

    def create_app(self) -> Flask:
        app = Flask(__name__)
        app.config["SECRET_KEY"] = secrets.token_hex(16)
        server = AuthorizationServer()
        server.init_app(app, query_client=self.clients.get, save_token=self._save_token)
        server.register_grant(_code_grant(self), [CodeChallenge(required=True), _openid(self)])

        @app.get("/.well-known/openid-configuration")
        def discovery():  # noqa: ANN202
            return jsonify(self.discovery())

        @app.get("/jwks")
        def jwks():  # noqa: ANN202
            return jsonify(self.jwks())

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():  # noqa: ANN202
            return self._authorize(server)

        @app.post("/token")
        def token():  # noqa: ANN202
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():  # noqa: ANN202
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            held = self.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
            if held is None or held[2] < time.time():
                return jsonify(error="invalid_token"), 401
            return jsonify(self.user_claims(self.accounts[held[0]], held[1]))

        return app

    def _authorize(self, server: AuthorizationServer):  # noqa: ANN202
        try:
            grant = server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            return render_template_string(PAGE, error=error.description or error.error, accounts=[]), 400
        organisation = "organization" in (request.values.get("scope") or "").split()
        accounts = [a for a in self.accounts.values() if a.is_organisation == organisation]
        if request.method == "GET":
            return render_template_string(PAGE, accounts=accounts, query=urlencode(request.args), error=None)
        if request.form.get("decision") == "deny":
            return server.create_authorization_response(grant_user=None, grant=grant)
        account = self.accounts.get((request.form.get("login") or "").strip())
        password = request.form.get("password") or ""
        if account is None or account not in accounts or not hmac.compare_digest(password, account.password):
            error = "Sai số định danh / mã số thuế hoặc mật khẩu"
            return render_template_string(
                PAGE, accounts=accounts, query=urlencode(request.args), error=error
            ), 401
        return server.create_authorization_response(grant_user=account, grant=grant)

    def _save_token(self, token: dict[str, Any], oauth_request: Any) -> None:
        expires = time.time() + int(token.get("expires_in", 3600))
        self.tokens[token["access_token"]] = (oauth_request.user.login, token.get("scope", ""), expires)


def _code_grant(provider: DemoProvider) -> type[grants.AuthorizationCodeGrant]:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

        def save_authorization_code(self, code: str, oauth_request: Any) -> None:
            data = oauth_request.payload.data
            provider.codes[code] = IssuedCode(
                code=code,
                client_id=oauth_request.client.client_id,
                redirect_uri=oauth_request.payload.redirect_uri,
                scope=oauth_request.scope,
                login=oauth_request.user.login,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: DemoClient) -> IssuedCode | None:
            issued = provider.codes.get(code)
            if issued is None or issued.client_id != client.client_id:
                return None
            if time.time() - issued.auth_time > CODE_SECONDS:
                return None
            return issued

        def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: IssuedCode) -> DemoAccount:
            return provider.accounts[authorization_code.login]

    return CodeGrant


def _openid(provider: DemoProvider) -> OpenIDCode:
    class DemoOpenIDCode(OpenIDCode):
        def exists_nonce(self, nonce: str, oauth_request: Any) -> bool:
            return any(c.nonce == nonce for c in provider.codes.values())

        def resolve_client_private_key(self, client: DemoClient) -> RSAKey:
            return provider.id_token_key()[0]

        def get_client_algorithm(self, client: DemoClient) -> str:
            return "RS256"

        def get_encode_header(self, client: DemoClient) -> dict[str, str]:
            return {"alg": "RS256", "kid": provider.id_token_key()[1]}

        def get_client_claims(self, client: DemoClient) -> dict[str, Any]:
            return provider.id_token_claims(client.client_id)

        def generate_user_info(self, user: DemoAccount, scope: str) -> UserInfo:
            return UserInfo(provider.user_claims(user, scope))

    return DemoOpenIDCode(require_nonce=True)


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VNeID (bản mô phỏng cho phát triển)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#1a1a1a}
main{max-width:30rem;margin:0 auto;padding:1rem}
.warn{background:#fff3cd;border:2px solid #b58100;padding:.75rem;border-radius:.5rem}
label{display:block;margin-top:.75rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem}
table{width:100%;border-collapse:collapse;font-size:.9rem}
td,th{border-bottom:1px solid #ccc;text-align:left;padding:.3rem}
.error{color:#a00000;font-weight:600}
</style></head><body><main>
<p class="warn" role="note"><strong>Bản mô phỏng VNeID dùng cho phát triển và kiểm thử.</strong>
Đây KHÔNG phải hệ thống định danh điện tử VNeID của Bộ Công an. Development stand-in, not VNeID.</p>
<h1>Đăng nhập tài khoản định danh điện tử</h1>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
{% if accounts %}
<form method="post" action="?{{ query }}">
  <label for="login">Số định danh cá nhân / mã số thuế</label>
  <input id="login" name="login" inputmode="numeric" autocomplete="username" required>
  <label for="password">Mật khẩu</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" name="decision" value="allow">Đăng nhập</button>
  <button type="submit" name="decision" value="deny" formnovalidate>Hủy</button>
</form>
<h2>Tài khoản mô phỏng (mật khẩu demo12345)</h2>
<table><thead><tr><th>Số định danh / MST</th><th>Tên</th></tr></thead><tbody>
{% for a in accounts %}<tr><td>{{ a.login }}</td>
<td>{{ a.name }}{% if a.claims.get("assurance_level") == 1 %} (mức 1){% endif %}</td></tr>{% endfor %}
</tbody></table>
{% endif %}
</main></body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description="Development stand-in for VNeID (OpenID Connect provider)")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--client-id", default="mot-cua-dev")
    parser.add_argument("--client-secret", default="dev-only-not-secret")
    parser.add_argument("--redirect-uri", action="append", required=True)
    args = parser.parse_args()
    provider = DemoProvider(f"http://127.0.0.1:{args.port}")
    provider.register_client(args.client_id, args.client_secret, args.redirect_uri)
    print(f"VNeID development stand-in (NOT VNeID) on {provider.issuer}", flush=True)  # noqa: T201
    provider.create_app().run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
