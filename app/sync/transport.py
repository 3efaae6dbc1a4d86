"""One HTTP POST with a timeout, reported as an outcome (never raised): the caller records it."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None
    duration_ms: int

    @property
    def is_success(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, hex, prefixed with the scheme: "sha256=<hex>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, message_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "X-Message-Id": message_id,
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, body),
    }


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    request = urllib.request.Request(  # noqa: S310 (URL scheme checked when configured: http/https only)
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(65536)
            status, error = response.status, None
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        status, error = None, f"{type(reason).__name__}: {reason}"[:2000]
    return Outcome(status, error, int((time.monotonic() - started) * 1000))
