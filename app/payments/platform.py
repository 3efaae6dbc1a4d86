"""The contract with the national payment platform (Nền tảng thanh toán trực tuyến của Cổng Dịch vụ
công quốc gia), in one module: field names, signing, statuses, answers and the HTTP calls. A
province whose platform contract differs adjusts this file; `app.payments.simulator` speaks the same
contract on loopback for `make run` and the tests.

Every message is a flat map of text fields signed with **HMAC-SHA256** under the key the platform
issued to this system (`PAYMENT_PLATFORM_KEY`, shared by both sides). The canonical string is every
field but `signature` with a non-empty value, sorted by name, each written `name=value` with the
value percent-encoded (UTF-8, RFC 3986, no character kept: so no value can fake a separator), joined
by `&`; `signature` is its lowercase hex digest. Amounts are whole VND; times are `yyyyMMddHHmmss`
in Vietnam time.

1. **Payment request** (the browser is redirected): `GET <PAYMENT_PLATFORM_URL>/pay?<fields>` with
   `version, merchantCode, orderId, amount, currencyCode, orderInfo, returnUrl, notifyUrl,
   createDate, expireDate, locale, signature`.
2. **Confirmation** (the platform to this system, server to server): `POST <notifyUrl>` with a JSON
   body `version, merchantCode, orderId, transactionNo, amount, currencyCode, status, payDate,
   signature`; `status` is one of `STATUSES`. The answer is JSON `{"code", "message"}` (`ANSWERS`):
   2xx when taken (also for a confirmation already taken: the same confirmation twice pays once),
   4xx when refused (the platform does not retry those). The browser then comes back to
   `returnUrl?orderId=...`; nothing it carries is believed: the system asks the platform (3).
3. **Query** (this system to the platform): `POST <PAYMENT_PLATFORM_URL>/api/query` with JSON
   `version, merchantCode, orderId, requestDate, signature`; the answer is a signed confirmation
   (status `not_found` for an order the platform never saw).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from app.core.time import VN_TZ

VERSION = "1.0"
SIGNATURE = "signature"
CURRENCY = "VND"
TIME_FORMAT = "%Y%m%d%H%M%S"

REQUEST_FIELDS = (
    "version",
    "merchantCode",
    "orderId",
    "amount",
    "currencyCode",
    "orderInfo",
    "returnUrl",
    "notifyUrl",
    "createDate",
    "expireDate",
    "locale",
)
CONFIRMATION_FIELDS = (
    "version",
    "merchantCode",
    "orderId",
    "transactionNo",
    "amount",
    "currencyCode",
    "status",
    "payDate",
)
QUERY_FIELDS = ("version", "merchantCode", "orderId", "requestDate")

# The status of an order at the platform.
PAID, CANCELLED, FAILED, PENDING, NOT_FOUND = "paid", "cancelled", "failed", "pending", "not_found"
STATUSES = (PAID, CANCELLED, FAILED, PENDING, NOT_FOUND)

# This system's answer to a confirmation, by what it made of it: (HTTP status, code, message).
ANSWERS: dict[str, tuple[int, str, str]] = {
    "confirmed": (200, "00", "Confirmation received"),
    "not_paid": (200, "00", "Confirmation received"),
    "pending": (200, "00", "Confirmation received"),
    "duplicate": (200, "02", "Order already confirmed"),
    "malformed": (400, "99", "Malformed message"),
    "bad_signature": (403, "97", "Invalid signature"),
    "unknown_order": (404, "01", "Order not found"),
    "bad_amount": (422, "04", "Invalid amount"),
    "bad_currency": (422, "05", "Invalid currency"),
}


class PlatformError(Exception):
    """The platform could not be asked, or answered something that cannot be believed."""


class MalformedMessage(ValueError):
    """A message lacks a field or carries one that cannot be read; `field` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True)
class Settings:
    """This system's registration at the platform (PAYMENT_* settings)."""

    url: str
    merchant_code: str
    key: str
    notify_url: str
    return_url: str
    timeout: float = 10.0
    order_minutes: int = 15  # how long the platform accepts a payment request

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings | None:
        """None when no platform is configured (online payment is then not offered)."""
        url = (config.get("PAYMENT_PLATFORM_URL") or "").rstrip("/")
        if not url:
            return None
        base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
        return cls(
            url=url,
            merchant_code=config["PAYMENT_MERCHANT_CODE"],
            key=config["PAYMENT_PLATFORM_KEY"],
            notify_url=config.get("PAYMENT_NOTIFY_URL") or f"{base}/api/v1/payments/platform/notify",
            return_url=f"{base}/payments/return",
            timeout=float(config.get("PAYMENT_TIMEOUT_SECONDS", 10)),
            order_minutes=int(config.get("PAYMENT_ORDER_MINUTES", 15)),
        )


# --- signing ------------------------------------------------------------------------------------


def canonical(fields: Mapping[str, Any]) -> str:
    """The string that is signed (see the module docstring)."""
    pairs = sorted((str(k), str(v)) for k, v in fields.items() if k != SIGNATURE and v not in (None, ""))
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)


def sign(fields: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical(fields).encode(), hashlib.sha256).hexdigest()


def signed(fields: Mapping[str, Any], key: str) -> dict[str, str]:
    """The fields as text, with their signature."""
    message = {k: str(v) for k, v in fields.items() if v not in (None, "")}
    message[SIGNATURE] = sign(message, key)
    return message


def has_valid_signature(fields: Mapping[str, Any], key: str) -> bool:
    given = fields.get(SIGNATURE)
    return isinstance(given, str) and hmac.compare_digest(given.lower(), sign(fields, key))


def platform_time(value: datetime) -> str:
    return value.astimezone(VN_TZ).strftime(TIME_FORMAT)


def read_time(value: str) -> datetime:
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=VN_TZ)


# --- 1. the payment request ------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    order_id: str
    amount: int
    description: str
    created_at: datetime
    locale: str = "vi"


def payment_request(settings: Settings, order: Order) -> dict[str, str]:
    fields = {
        "version": VERSION,
        "merchantCode": settings.merchant_code,
        "orderId": order.order_id,
        "amount": str(order.amount),
        "currencyCode": CURRENCY,
        "orderInfo": order.description,
        "returnUrl": settings.return_url,
        "notifyUrl": settings.notify_url,
        "createDate": platform_time(order.created_at),
        "expireDate": platform_time(order.created_at + timedelta(minutes=settings.order_minutes)),
        "locale": order.locale,
    }
    return signed(fields, settings.key)


def payment_url(settings: Settings, order: Order) -> str:
    return f"{settings.url}/pay?{urlencode(payment_request(settings, order))}"


def read_request(fields: Mapping[str, Any]) -> Order:
    """The simulator's side: a payment request read back (its signature checked separately)."""
    for name in REQUEST_FIELDS:
        if not str(fields.get(name) or "").strip():
            raise MalformedMessage(name, "missing")
    return Order(
        order_id=str(fields["orderId"]),
        amount=_amount(fields["amount"]),
        description=str(fields["orderInfo"]),
        created_at=_time("createDate", fields["createDate"]),
        locale=str(fields["locale"]),
    )


# --- 2. the confirmation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """What the platform says of an order."""

    merchant_code: str
    order_id: str
    status: str
    amount: int | None = None
    currency: str | None = None
    transaction_no: str | None = None
    paid_at: datetime | None = None


def confirmation_fields(merchant_code: str, confirmation: Confirmation) -> dict[str, str]:
    """The fields of a confirmation (unsigned), as the platform sends them."""
    fields = {
        "version": VERSION,
        "merchantCode": merchant_code,
        "orderId": confirmation.order_id,
        "transactionNo": confirmation.transaction_no or "",
        "amount": "" if confirmation.amount is None else str(confirmation.amount),
        "currencyCode": confirmation.currency or "",
        "status": confirmation.status,
        "payDate": platform_time(confirmation.paid_at) if confirmation.paid_at else "",
    }
    return {k: v for k, v in fields.items() if v != ""}


def read_confirmation(fields: Mapping[str, Any]) -> Confirmation:
    """A confirmation (or a query's answer) read from its fields; raises MalformedMessage naming the
    first field that is missing or cannot be read. The signature is checked separately."""
    for name in ("merchantCode", "orderId", "status"):
        if not str(fields.get(name) or "").strip():
            raise MalformedMessage(name, "missing")
    status = str(fields["status"])
    if status not in STATUSES:
        raise MalformedMessage("status", f"unknown status {status[:20]!r}")
    confirmation = Confirmation(
        merchant_code=str(fields["merchantCode"]),
        order_id=str(fields["orderId"])[:64],
        status=status,
        amount=_amount(fields["amount"]) if fields.get("amount") not in (None, "") else None,
        currency=str(fields["currencyCode"])[:8] if fields.get("currencyCode") else None,
        transaction_no=str(fields["transactionNo"])[:64] if fields.get("transactionNo") else None,
        paid_at=_time("payDate", fields["payDate"]) if fields.get("payDate") else None,
    )
    if status == PAID and (confirmation.amount is None or confirmation.currency is None):
        raise MalformedMessage("amount", "a paid order needs its amount and currency")
    return confirmation


def answer(outcome: str) -> tuple[int, dict[str, str]]:
    """The HTTP status and JSON body answering a confirmation this system made `outcome` of."""
    status, code, message = ANSWERS[outcome]
    return status, {"code": code, "message": message}


# --- 3. the query -------------------------------------------------------------------------------


def query_request(settings: Settings, order_id: str, now: datetime) -> dict[str, str]:
    fields = {
        "version": VERSION,
        "merchantCode": settings.merchant_code,
        "orderId": order_id,
        "requestDate": platform_time(now),
    }
    return signed(fields, settings.key)


def query(settings: Settings, order_id: str, now: datetime) -> tuple[dict[str, Any], Confirmation]:
    """Ask the platform about `order_id`: its signed answer (the raw fields, to log) read as a
    Confirmation. Raises PlatformError when the platform does not answer, answers with an error, or
    answers something unsigned, wrongly signed, about another order or another merchant."""
    import requests

    try:
        response = requests.post(
            f"{settings.url}/api/query", json=query_request(settings, order_id, now), timeout=settings.timeout
        )
    except requests.RequestException as exc:
        raise PlatformError(f"the payment platform did not answer: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise PlatformError(f"the payment platform answered HTTP {response.status_code}")
    try:
        fields = response.json()
    except ValueError as exc:
        raise PlatformError("the payment platform's answer is not JSON") from exc
    if not isinstance(fields, dict) or not has_valid_signature(fields, settings.key):
        raise PlatformError("the payment platform's answer is not signed with this system's key")
    try:
        confirmation = read_confirmation(fields)
    except MalformedMessage as exc:
        raise PlatformError(f"the payment platform's answer is malformed: {exc}") from exc
    if confirmation.order_id != order_id or confirmation.merchant_code != settings.merchant_code:
        raise PlatformError("the payment platform answered about another order")
    return fields, confirmation


# --- reading values -------------------------------------------------------------------------------


def _amount(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 15:
        raise MalformedMessage("amount", "a whole number of VND is expected")
    return int(text)


def _time(name: str, value: Any) -> datetime:
    try:
        return read_time(str(value))
    except ValueError as exc:
        raise MalformedMessage(name, "yyyyMMddHHmmss expected") from exc
