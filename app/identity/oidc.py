"""The OpenID Connect client of VNeID / the national portal's single sign-on (Authlib).

Authorization code flow with PKCE (S256), `state` and `nonce`: `begin` builds the provider's
authorization URL and the `Flow` the caller keeps in the signed session; `complete` takes the
provider's answer back, checks it against that flow, exchanges the code, verifies the ID token and
returns its claims (with the userinfo answer for the same subject).

What is checked, each refusal a `SignInError` whose `reason` names it:
- the discovery document (`<issuer>/.well-known/openid-configuration`) names the configured issuer;
- the answer's `state` is the one this browser was sent with (else "state"), and its `iss`
  parameter, when the provider adds one (RFC 9207), is the configured issuer (else "issuer");
- the code is exchanged at the token endpoint with the client secret and the PKCE verifier;
- the ID token's signature, with a key of the provider's JWKS and an allowed algorithm; a key id
  not in the kept key set makes the JWKS be read again once, so the provider can rotate its keys
  (else "signature");
- its claims: `iss` is the issuer ("issuer"), `aud`/`azp` this client ("audience"), `exp` not
  passed and `iat` not in the future ("expired"), `nonce` the flow's ("nonce"), `at_hash`.
Network failures and provider errors answer "unavailable"; the caller shows a page for each.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

WELL_KNOWN = "/.well-known/openid-configuration"
FLOW_SECONDS = 600  # a sign-in started more than 10 minutes ago is not completed


class SignInError(Exception):
    """Sign-in through the provider refused; `reason` is one of REASONS, `detail` for the log only."""

    REASONS = (
        "not_configured",
        "state",
        "cancelled",
        "provider_error",
        "issuer",
        "audience",
        "nonce",
        "expired",
        "signature",
        "token",
        "claims",
        "assurance",
        "inactive",
        "unavailable",
    )

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ProviderSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    organisation_scopes: str
    algorithms: tuple[str, ...]
    leeway: int
    timeout: float
    metadata_seconds: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ProviderSettings | None:
        """None when no provider is configured (no issuer or client id)."""
        issuer = str(config.get("OIDC_ISSUER") or "").rstrip("/")
        if not issuer or not config.get("OIDC_CLIENT_ID"):
            return None
        algorithms = tuple(a.strip() for a in str(config.get("OIDC_ALGORITHMS") or "RS256").split(","))
        return cls(
            issuer=issuer,
            client_id=str(config["OIDC_CLIENT_ID"]),
            client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
            scopes=str(config.get("OIDC_SCOPES") or "openid"),
            organisation_scopes=str(config.get("OIDC_ORGANISATION_SCOPES") or config.get("OIDC_SCOPES")),
            algorithms=tuple(a for a in algorithms if a and a.lower() != "none"),
            leeway=int(config.get("OIDC_LEEWAY_SECONDS", 60)),
            timeout=float(config.get("OIDC_TIMEOUT_SECONDS", 10)),
            metadata_seconds=int(config.get("OIDC_METADATA_SECONDS", 3600)),
        )


@dataclass
class Flow:
    """One sign-in in progress, kept in the signed session cookie until the provider answers."""

    state: str
    nonce: str
    verifier: str  # PKCE code_verifier
    kind: str  # "person" or "organisation": which button was pressed
    redirect_uri: str
    next_url: str = ""
    started_at: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_expired(self) -> bool:
        return time.time() - self.started_at > FLOW_SECONDS


# --- the provider's discovery document and keys, kept per issuer --------------------------------


@dataclass
class _Kept:
    metadata: dict[str, Any]
    jwks: dict[str, Any] | None
    loaded_at: float


_kept: dict[str, _Kept] = {}
_lock = threading.Lock()


def _get_json(url: str, settings: ProviderSettings, what: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInError("unavailable", f"{what} {url}: {exc}") from exc
    if not isinstance(body, dict):
        raise SignInError("unavailable", f"{what} {url}: not a JSON object")
    return body


def provider_metadata(settings: ProviderSettings) -> dict[str, Any]:
    """The discovery document, read again after `metadata_seconds`; it must name our issuer."""
    with _lock:
        kept = _kept.get(settings.issuer)
    if kept is not None and time.time() - kept.loaded_at < settings.metadata_seconds:
        return kept.metadata
    metadata = _get_json(settings.issuer + WELL_KNOWN, settings, "discovery document")
    if str(metadata.get("issuer", "")).rstrip("/") != settings.issuer:
        raise SignInError("issuer", f"discovery names issuer {metadata.get('issuer')!r}")
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(k)]
    if missing:
        raise SignInError("unavailable", f"discovery document lacks {missing}")
    with _lock:
        _kept[settings.issuer] = _Kept(metadata, None, time.time())
    return metadata


def provider_keys(settings: ProviderSettings, *, refresh: bool = False) -> KeySet:
    metadata = provider_metadata(settings)
    with _lock:
        kept = _kept.get(settings.issuer)
        jwks = kept.jwks if kept is not None else None
    if jwks is None or refresh:
        jwks = _get_json(metadata["jwks_uri"], settings, "JWKS")
        with _lock:
            if settings.issuer in _kept:
                _kept[settings.issuer].jwks = jwks
    try:
        return KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInError("unavailable", f"JWKS not usable: {exc}") from exc


def forget_provider(issuer: str | None = None) -> None:
    """Drop the kept discovery document and keys (all providers without `issuer`)."""
    with _lock:
        if issuer is None:
            _kept.clear()
        else:
            _kept.pop(issuer.rstrip("/"), None)


# --- the flow -----------------------------------------------------------------------------------


def _client(settings: ProviderSettings, scope: str, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
    )


def begin(
    settings: ProviderSettings, *, kind: str, redirect_uri: str, next_url: str = ""
) -> tuple[str, Flow]:
    """The provider's authorization URL for a new sign-in, and the flow to keep until it answers."""
    metadata = provider_metadata(settings)
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),
        kind=kind,
        redirect_uri=redirect_uri,
        next_url=next_url,
    )
    scope = settings.organisation_scopes if kind == "organisation" else settings.scopes
    with _client(settings, scope, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=flow.state,
            nonce=flow.nonce,
            code_verifier=flow.verifier,
        )
    return url, flow


def complete(settings: ProviderSettings, flow: Flow, answer: Mapping[str, str]) -> dict[str, Any]:
    """The verified claims of the provider's `answer` (the callback's query) to `flow`."""
    if answer.get("error"):
        reason = (
            "cancelled" if answer.get("error") in ("access_denied", "login_required") else "provider_error"
        )
        raise SignInError(reason, f"{answer.get('error')}: {answer.get('error_description', '')}")
    if answer.get("iss") is not None and answer.get("iss", "").rstrip("/") != settings.issuer:
        raise SignInError("issuer", f"authorization response from {answer.get('iss')!r}")
    code = answer.get("code")
    if not code:
        raise SignInError("provider_error", "no code in the answer")
    metadata = provider_metadata(settings)
    token = _exchange(settings, metadata, flow, code)
    claims = verify_id_token(
        settings, token["id_token"], nonce=flow.nonce, access_token=token.get("access_token")
    )
    if metadata.get("userinfo_endpoint") and token.get("access_token"):
        userinfo = _userinfo(settings, metadata["userinfo_endpoint"], token["access_token"])
        if userinfo.get("sub") != claims.get("sub"):
            raise SignInError("claims", "userinfo is about another subject")
        claims = {**userinfo, **claims}  # the signed ID token wins where both say something
    return claims


def _exchange(
    settings: ProviderSettings, metadata: Mapping[str, Any], flow: Flow, code: str
) -> dict[str, Any]:
    with _client(settings, settings.scopes, flow.redirect_uri) as client:
        try:
            token = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=flow.verifier,
                timeout=settings.timeout,
            )
        except OAuthError as exc:
            raise SignInError("token", f"token endpoint: {exc.error} {exc.description}") from exc
        except requests.RequestException as exc:
            raise SignInError("unavailable", f"token endpoint: {exc}") from exc
    if not token.get("id_token"):
        raise SignInError("token", "the token answer has no id_token")
    return dict(token)


def _userinfo(settings: ProviderSettings, url: str, access_token: str) -> dict[str, Any]:
    try:
        response = requests.get(
            url, timeout=settings.timeout, headers={"Authorization": f"Bearer {access_token}"}
        )
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInError("unavailable", f"userinfo: {exc}") from exc
    if not isinstance(body, dict):
        raise SignInError("claims", "userinfo is not a JSON object")
    return body


_CLAIM_REASONS = {"iss": "issuer", "aud": "audience", "azp": "audience", "nonce": "nonce", "iat": "expired"}


def verify_id_token(
    settings: ProviderSettings, id_token: str, *, nonce: str, access_token: str | None = None
) -> dict[str, Any]:
    """The ID token's claims once its signature and claims hold; SignInError otherwise."""
    try:
        try:
            decoded = jwt.decode(id_token, provider_keys(settings), algorithms=list(settings.algorithms))
        except InvalidKeyIdError:  # a key the provider added since we read its keys: read them again
            decoded = jwt.decode(
                id_token, provider_keys(settings, refresh=True), algorithms=list(settings.algorithms)
            )
    except (JoseError, ValueError) as exc:
        raise SignInError("signature", f"ID token: {type(exc).__name__} {exc}") from exc
    params = {"nonce": nonce, "client_id": settings.client_id}
    if access_token:
        params["access_token"] = access_token
    options = {
        "iss": {"essential": True, "value": settings.issuer},
        "aud": {"essential": True, "value": settings.client_id},
    }
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(now=int(time.time()), leeway=settings.leeway)
    except ExpiredTokenError as exc:
        raise SignInError("expired", str(exc)) from exc
    except ClaimError as exc:
        raise SignInError(_CLAIM_REASONS.get(exc.claim, "claims"), str(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise SignInError("claims", str(exc)) from exc
    return dict(claims)
