"""Sign-in with VNeID / the national portal (OpenID Connect): the start, the provider's answer, and
a page saying plainly why a sign-in was refused."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from werkzeug.wrappers import Response

from app.auth.permissions import start_endpoint
from app.core.web import local_url
from app.identity.claims import ClaimsError, claim_names, map_claims
from app.identity.models import ORGANISATION, PERSON
from app.identity.oidc import Flow, ProviderSettings, SignInError, begin, complete
from app.identity.services import sign_in_verified

log = logging.getLogger(__name__)
bp = Blueprint("identity", __name__)
FLOWS = "identity_flows"  # session key: state -> flow, for the sign-ins started in this browser
MAX_FLOWS = 3

# reason -> (HTTP status, what the person reads)
REFUSALS: dict[str, tuple[int, object]] = {
    "not_configured": (
        404,
        _l("Đăng nhập bằng tài khoản định danh điện tử chưa được cấu hình trên hệ thống này."),
    ),
    "state": (
        400,
        _l(
            "Phiên đăng nhập không khớp với yêu cầu đã gửi từ trình duyệt này hoặc đã hết hạn (state). "
            "Vì an toàn, kết quả này bị từ chối. Vui lòng đăng nhập lại từ đầu."
        ),
    ),
    "cancelled": (400, _l("Bạn đã hủy đăng nhập tại hệ thống định danh điện tử.")),
    "provider_error": (400, _l("Hệ thống định danh điện tử trả về lỗi nên chưa đăng nhập được.")),
    "issuer": (
        400,
        _l("Kết quả đăng nhập không do nhà cung cấp định danh đã cấu hình phát hành (sai bên phát hành)."),
    ),
    "audience": (400, _l("Mã định danh (ID token) không được cấp cho hệ thống này.")),
    "nonce": (
        400,
        _l(
            "Mã định danh (ID token) không thuộc lượt đăng nhập này (sai nonce); "
            "có thể là một yêu cầu phát lại."
        ),
    ),
    "expired": (400, _l("Mã định danh (ID token) đã hết hạn hoặc có thời điểm phát hành không hợp lệ.")),
    "signature": (400, _l("Chữ ký của mã định danh (ID token) không hợp lệ.")),
    "token": (400, _l("Không đổi được mã cấp quyền lấy mã định danh (mã đã dùng, hết hạn hoặc sai).")),
    "claims": (400, _l("Thông tin định danh nhận được không đầy đủ hoặc không hợp lệ.")),
    "assurance": (
        403,
        _l("Tài khoản định danh điện tử chưa đạt mức độ 2 nên chưa dùng được dịch vụ công trực tuyến."),
    ),
    "inactive": (403, _l("Tài khoản này đã bị ngừng kích hoạt. Vui lòng liên hệ quản trị viên.")),
    "unavailable": (
        503,
        _l("Hệ thống định danh điện tử tạm thời không truy cập được. Vui lòng thử lại sau."),
    ),
}


def _settings() -> ProviderSettings:
    settings = ProviderSettings.from_config(current_app.config)
    if settings is None:
        raise SignInError("not_configured")
    return settings


def refused(error: SignInError, claim: str | None = None) -> tuple[str, int]:
    status, message = REFUSALS[error.reason]
    log.warning("electronic identification sign-in refused: %s", error)
    return render_template("identity/refused.html", reason=error.reason, message=message, claim=claim), status


@bp.get("/login/vneid")
def start() -> Response | tuple[str, int]:
    """Send the browser to the provider (a person's or, with ?kind=organisation, an organisation's
    account), keeping state, nonce and PKCE verifier in the signed session."""
    kind = ORGANISATION if request.args.get("kind") == ORGANISATION else PERSON
    try:
        url, flow = begin(
            _settings(),
            kind=kind,
            redirect_uri=url_for(".callback", _external=True),
            next_url=local_url(request.args.get("next"), ""),
        )
    except SignInError as error:
        return refused(error)
    flows = {s: f for s, f in session.get(FLOWS, {}).items() if not Flow(**f).is_expired}
    flows = dict(list(flows.items())[-(MAX_FLOWS - 1) :]) if flows else {}
    flows[flow.state] = flow.as_dict()
    session[FLOWS] = flows
    return redirect(url)


@bp.get("/login/vneid/callback")
def callback() -> Response | tuple[str, int]:
    """The provider's answer: checked against the flow this browser started, then the account."""
    flows = dict(session.get(FLOWS, {}))
    kept = flows.pop(request.args.get("state", ""), None)
    session[FLOWS] = flows  # a state is answered once
    try:
        settings = _settings()
        flow = Flow(**kept) if kept else None
        if flow is None or flow.is_expired:
            raise SignInError("state", "no sign-in of this browser has that state")
        claims = complete(settings, flow, request.args)
        verified = map_claims(
            claims, issuer=settings.issuer, names=claim_names(current_app.config["OIDC_CLAIM_NAMES"])
        )
        user = sign_in_verified(verified)
    except SignInError as error:
        return refused(error)
    except ClaimsError as error:
        return refused(SignInError("claims", f"{error.claim}: {error.message}"), claim=error.claim)
    login_user(user)
    flash(_("Đã đăng nhập bằng tài khoản định danh điện tử: %(name)s", name=user.full_name), "success")
    return redirect(flow.next_url or url_for(start_endpoint(user)))
