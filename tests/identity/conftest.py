"""A real OpenID Connect provider on loopback for the sign-in tests: the development stand-in for
VNeID (app.identity.demo_provider) served in a thread, with a switch to misbehave the way an
attacker's or a broken provider would (another issuer, an expired token, a wrong nonce, a token
signed with a key it does not publish)."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from app.identity.demo_provider import DemoProvider

CLIENT_ID, CLIENT_SECRET = "mot-cua-test", "test-secret-not-used-elsewhere"
TEST_CALLBACK = "http://localhost/login/vneid/callback"  # the Flask test client's host


class MisbehavingProvider(DemoProvider):
    """The stand-in, plus `tamper`: what its next ID tokens get wrong (empty: nothing)."""

    def __init__(self, issuer: str) -> None:
        super().__init__(issuer)
        self.tamper: dict = {}
        self.foreign_key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})

    def discovery(self):
        metadata = super().discovery()
        if "discovery_issuer" in self.tamper:
            metadata["issuer"] = self.tamper["discovery_issuer"]
        return metadata

    def id_token_claims(self, client_id):
        claims = super().id_token_claims(client_id)
        if "iss" in self.tamper:
            claims["iss"] = self.tamper["iss"]
        if self.tamper.get("expired"):
            now = int(time.time())
            claims.update(iat=now - 7200, exp=now - 3600)
        return claims

    def user_claims(self, account, scope):
        claims = super().user_claims(account, scope)
        if "nonce" in self.tamper:  # merged into the ID token after the code's own nonce
            claims["nonce"] = self.tamper["nonce"]
        return claims

    def id_token_key(self):
        key, kid = super().id_token_key()
        if self.tamper.get("foreign_key"):  # signed with a key it does not publish, under a kid it does
            return self.foreign_key, kid
        return key, kid


@pytest.fixture(scope="session")
def oidc_server():
    """The provider's HTTP server for the whole session; each test configures the app for it."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    provider = MisbehavingProvider(f"http://127.0.0.1:{server.server_port}")
    server.app = provider.create_app()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield provider
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def oidc_provider(app, oidc_server):
    """The app signs in through the loopback provider during this test only."""
    from app.identity.oidc import forget_provider

    settings = {
        "OIDC_ISSUER": oidc_server.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    oidc_server.register_client(CLIENT_ID, CLIENT_SECRET, [TEST_CALLBACK])
    oidc_server.tamper = {}
    forget_provider()
    yield oidc_server
    oidc_server.tamper = {}
    forget_provider()
    app.config.update(saved)


def provider_sign_in(client, login: str, password: str = "demo12345", *, kind: str = "person", start=None):  # noqa: S107
    """Start at the app, sign in on the provider's own page (real HTTP), and come back: the app's
    answer to the provider's redirect. `start`: a response of /login/vneid already fetched."""
    start = start or client.get("/login/vneid" + ("?kind=organisation" if kind == "organisation" else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    authorize = start.headers["Location"]
    page = requests.get(authorize, timeout=10)
    assert page.status_code == 200, page.text
    answer = requests.post(
        authorize,
        data={"login": login, "password": password, "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")
