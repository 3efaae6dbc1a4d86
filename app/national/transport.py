"""How filings travel between the portal (through the provincial LGSP) and this system. Both patterns
provinces use, chosen by INBOUND_TRANSPORT (`push`, `poll` or `push,poll`):

- **push**: the LGSP posts each envelope to `POST /api/lgsp/v1/filings`, signed like the webhooks
  this system sends: `X-Timestamp` (Unix seconds) and `X-Signature: sha256=<hex HMAC-SHA256(
  INBOUND_HMAC_KEY, X-Timestamp + "." + raw body)>`. A timestamp further than
  INBOUND_MAX_AGE_SECONDS from now is refused (a replay), and so is any other signature;
- **poll**: every INBOUND_POLL_SECONDS this system asks `GET INBOUND_POLL_URL?limit=N` for the
  filings not yet acknowledged (`{"DanhSach": [envelope, ...]}`), records them, and once they are
  committed acknowledges them: `POST INBOUND_POLL_URL/ack` with `{"MaBanTin": [...]}`. A lost
  acknowledgement only offers them again, and a duplicate creates nothing.

Calls this system makes to the portal (poll, acknowledgement, document downloads) carry the same
credentials as the outbound sync: `Authorization: Bearer NATIONAL_PORTAL_TOKEN` and/or the HMAC
signature with NATIONAL_PORTAL_HMAC_KEY (over the body; empty for a GET).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any

from flask import current_app

from app.core.errors import AuthenticationError, ServiceUnavailableError

PUSH, POLL = "push", "poll"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {"X-Timestamp": timestamp, "X-Signature": sign(secret, timestamp, body)}


def transports() -> set[str]:
    return {t.strip() for t in (current_app.config.get("INBOUND_TRANSPORT") or "").split(",") if t.strip()}


def verify_push(headers: Any, body: bytes, now: float | None = None) -> None:
    """AuthenticationError unless the push is signed with INBOUND_HMAC_KEY, recently."""
    key = current_app.config.get("INBOUND_HMAC_KEY")
    if PUSH not in transports() or not key:
        raise AuthenticationError("Chưa bật tiếp nhận hồ sơ từ Cổng DVC quốc gia qua LGSP")
    timestamp, signature = headers.get("X-Timestamp", ""), headers.get("X-Signature", "")
    if not timestamp.isdigit() or not signature:
        raise AuthenticationError("Thiếu chữ ký (X-Timestamp, X-Signature)")
    max_age = int(current_app.config.get("INBOUND_MAX_AGE_SECONDS", 300))
    if abs((now if now is not None else time.time()) - int(timestamp)) > max_age:
        raise AuthenticationError("Chữ ký đã quá hạn (X-Timestamp)")
    if not hmac.compare_digest(sign(key, timestamp, body), signature):
        raise AuthenticationError("Chữ ký không đúng (X-Signature)")


def portal_headers(url: str, body: bytes = b"") -> dict[str, str]:
    """Credentials of a call this system makes to the portal."""
    config = current_app.config
    headers = {}
    if config.get("NATIONAL_PORTAL_TOKEN"):
        headers["Authorization"] = f"Bearer {config['NATIONAL_PORTAL_TOKEN']}"
    if config.get("NATIONAL_PORTAL_HMAC_KEY"):
        headers.update(signed_headers(config["NATIONAL_PORTAL_HMAC_KEY"], body))
    return headers


class PortalUnavailableError(ServiceUnavailableError):
    code = "national_portal_unavailable"


def _call(method: str, url: str, payload: dict | None = None) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
    headers = {"Accept": "application/json", **portal_headers(url, body)}
    if payload is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)  # noqa: S310
    timeout = float(current_app.config.get("DELIVERY_TIMEOUT_SECONDS", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise PortalUnavailableError(f"Cổng DVC quốc gia trả lời HTTP {exc.code}", {"url": url}) from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise PortalUnavailableError(f"Không kết nối được Cổng DVC quốc gia: {exc}", {"url": url}) from exc


def fetch_offered(limit: int) -> list[Any]:
    """The envelopes the portal offers (not yet acknowledged), at most `limit`."""
    url = current_app.config["INBOUND_POLL_URL"]
    answer = _call("GET", f"{url}{'&' if '?' in url else '?'}limit={int(limit)}")
    rows = answer.get("DanhSach") if isinstance(answer, dict) else None
    if not isinstance(rows, list):
        raise PortalUnavailableError("Cổng DVC quốc gia trả lời không đúng khuôn dạng (thiếu DanhSach)")
    return rows


def acknowledge(message_ids: list[str], refused: dict[str, str] | None = None) -> None:
    """Tell the portal these envelopes are ours now (and why any of them cannot be taken)."""
    url = current_app.config["INBOUND_POLL_URL"].split("?", 1)[0].rstrip("/") + "/ack"
    payload: dict[str, Any] = {"MaBanTin": message_ids}
    if refused:
        payload["TuChoi"] = [{"MaBanTin": mid, "LyDo": why} for mid, why in refused.items()]
    _call("POST", url, payload)
