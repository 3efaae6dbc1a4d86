"""A development stand-in for the national payment platform: a real HTTP server on loopback, NOT the
national platform.

`make run` starts it beside the application (`python -m app.payments.simulator`), and the tests
serve it in a thread, so the payment code always talks to a platform over HTTP with the contract of
`app.payments.platform`: the signed payment request (a page where the tester pays or cancels), the
signed confirmation sent server to server to the order's `notifyUrl` (first attempt at once, a few
retries while the merchant does not answer 2xx or 4xx), the browser sent back to `returnUrl`, and
the signed query answer. Orders live in memory. For the tests and the tester it can also lose a
confirmation on purpose (the reconciliation job then finds the payment by query) and send one again
(`POST /api/orders/<orderId>/resend`: the same confirmation twice must pay once).
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, render_template_string, request

from app.payments import platform

log = logging.getLogger(__name__)
RETRY_DELAYS = (1.0, 3.0, 10.0)


@dataclass
class Delivery:
    at: datetime
    status: int | None
    body: str


@dataclass
class SimulatedOrder:
    order: platform.Order
    currency: str
    notify_url: str
    return_url: str
    expires_at: datetime
    status: str = platform.PENDING
    transaction_no: str | None = None
    paid_at: datetime | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    def confirmation(self) -> platform.Confirmation:
        return platform.Confirmation(
            merchant_code="",
            order_id=self.order.order_id,
            status=self.status,
            amount=self.order.amount,
            currency=self.currency,
            transaction_no=self.transaction_no,
            paid_at=self.paid_at,
        )


class PaymentSimulator:
    """The stand-in: one merchant (this system) and its key; `create_app()` is its WSGI app."""

    def __init__(self, merchant_code: str, key: str) -> None:
        self.merchant_code = merchant_code
        self.key = key
        self.orders: dict[str, SimulatedOrder] = {}
        self.lock = threading.Lock()

    # --- what the platform sends ---------------------------------------------------------------

    def signed_confirmation(self, order: SimulatedOrder) -> dict[str, str]:
        fields = platform.confirmation_fields(self.merchant_code, order.confirmation())
        return platform.signed(fields, self.key)

    def deliver(self, order: SimulatedOrder) -> Delivery:
        """POST the order's signed confirmation to its notifyUrl once; the answer is kept."""
        import requests

        try:
            response = requests.post(order.notify_url, json=self.signed_confirmation(order), timeout=10)
            delivery = Delivery(datetime.now(UTC), response.status_code, response.text[:500])
        except requests.RequestException as exc:
            delivery = Delivery(datetime.now(UTC), None, type(exc).__name__)
        with self.lock:
            order.deliveries.append(delivery)
        return delivery

    def deliver_with_retries(self, order: SimulatedOrder) -> Delivery:
        """At once, then in the background while the merchant answers neither 2xx nor 4xx."""
        first = self.deliver(order)
        if _final(first):
            return first

        def retry() -> None:
            for delay in RETRY_DELAYS:
                time.sleep(delay)
                if _final(self.deliver(order)):
                    return

        threading.Thread(target=retry, daemon=True).start()
        return first

    # --- the web application ---------------------------------------------------------------------

    def create_app(self) -> Flask:
        app = Flask(__name__)
        app.add_url_rule("/", "index", self.index)
        app.add_url_rule("/pay", "pay_page", self.pay_page)
        app.add_url_rule("/pay/<order_id>", "decide", self.decide, methods=["POST"])
        app.add_url_rule("/api/query", "query", self.query, methods=["POST"])
        app.add_url_rule("/api/orders/<order_id>/resend", "resend", self.resend, methods=["POST"])
        return app

    def index(self) -> str:
        with self.lock:
            orders = sorted(self.orders.values(), key=lambda o: o.order.created_at, reverse=True)
        return render_template_string(_PAGE, view="index", orders=orders)

    def pay_page(self) -> tuple[str, int] | str:
        fields = request.args.to_dict()
        problem = self._request_problem(fields)
        if problem:
            return render_template_string(_PAGE, view="refused", problem=problem), 400
        order = platform.read_request(fields)
        with self.lock:
            known = self.orders.get(order.order_id)
            if known is None or known.status == platform.PENDING:
                known = SimulatedOrder(
                    order=order,
                    currency=fields["currencyCode"],
                    notify_url=fields["notifyUrl"],
                    return_url=fields["returnUrl"],
                    expires_at=platform.read_time(fields["expireDate"]),
                )
                self.orders[order.order_id] = known
        return render_template_string(_PAGE, view="pay", o=known, money=_money)

    def _request_problem(self, fields: dict[str, str]) -> str | None:
        if not platform.has_valid_signature(fields, self.key):
            return "Chữ ký của yêu cầu thanh toán không hợp lệ (invalid signature)."
        if fields.get("merchantCode") != self.merchant_code:
            return "Mã đơn vị (merchantCode) không được đăng ký với nền tảng này."
        try:
            platform.read_request(fields)
        except platform.MalformedMessage as exc:
            return f"Yêu cầu thiếu hoặc sai trường {exc.field}."
        if fields.get("currencyCode") != platform.CURRENCY:
            return "Chỉ nhận thanh toán bằng VND."
        if platform.read_time(fields["expireDate"]) < datetime.now(UTC):
            return "Yêu cầu thanh toán đã hết hạn (expireDate)."
        return None

    def decide(self, order_id: str):  # noqa: ANN201 (a redirect or a page)
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                abort(404)
            if order.status == platform.PENDING:
                decision = request.form.get("decision")
                if decision == "pay":
                    order.status, order.paid_at = platform.PAID, datetime.now(UTC).replace(microsecond=0)
                    order.transaction_no = "GD" + uuid.uuid4().hex[:12].upper()
                elif decision in ("cancel", "fail"):
                    order.status = platform.CANCELLED if decision == "cancel" else platform.FAILED
                else:
                    abort(400)
        if order.status != platform.PENDING and request.form.get("notify", "1") == "1":
            self.deliver_with_retries(order)
        back = platform.signed(
            {"orderId": order.order.order_id, "status": order.status, "merchantCode": self.merchant_code},
            self.key,
        )
        return redirect(f"{order.return_url}?{urlencode(back)}", 303)

    def query(self):  # noqa: ANN201
        fields = request.get_json(silent=True)
        if not isinstance(fields, dict) or not platform.has_valid_signature(fields, self.key):
            return jsonify({"code": "97", "message": "Invalid signature"}), 403
        if fields.get("merchantCode") != self.merchant_code or not fields.get("orderId"):
            return jsonify({"code": "99", "message": "Malformed query"}), 400
        with self.lock:
            order = self.orders.get(str(fields["orderId"]))
        if order is None:
            answer = platform.Confirmation("", str(fields["orderId"]), platform.NOT_FOUND)
            return jsonify(
                platform.signed(platform.confirmation_fields(self.merchant_code, answer), self.key)
            )
        return jsonify(self.signed_confirmation(order))

    def resend(self, order_id: str):  # noqa: ANN201
        with self.lock:
            order = self.orders.get(order_id)
        if order is None or order.status == platform.PENDING:
            return jsonify({"code": "01", "message": "No final status to confirm"}), 404
        delivery = self.deliver(order)
        return jsonify({"status": delivery.status, "answer": delivery.body})


def _final(delivery: Delivery) -> bool:
    return delivery.status is not None and delivery.status < 500


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mô phỏng Nền tảng thanh toán (không phải hệ thống thật)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f3f6fa;color:#1a1a1a}
main{max-width:34rem;margin:0 auto;padding:1rem}
.warn{background:#fff3cd;border:1px solid #e0c36a;padding:.6rem .8rem;border-radius:6px}
.card{background:#fff;border:1px solid #d5dbe3;border-radius:8px;padding:1rem;margin:1rem 0}
dt{font-weight:600;margin-top:.5rem}dd{margin:0}
button{font-size:1rem;padding:.7rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:6px;border:1px solid #245;
cursor:pointer}
button.pay{background:#0b5cad;color:#fff}button:focus{outline:3px solid #f0a500}
.amount{font-size:1.6rem;font-weight:700}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;font-size:.9rem}
</style></head><body><main>
<p class="warn" role="note"><strong>MÔ PHỎNG</strong> — Đây KHÔNG phải Nền tảng thanh toán của
Cổng Dịch vụ công quốc gia. Development stand-in, no money moves.</p>
{% if view == "pay" %}
<h1>Thanh toán trực tuyến</h1>
<div class="card"><dl>
<dt>Nội dung</dt><dd>{{ o.order.description }}</dd>
<dt>Mã đơn hàng</dt><dd>{{ o.order.order_id }}</dd>
<dt>Số tiền</dt><dd class="amount">{{ money(o.order.amount) }}</dd>
<dt>Trạng thái</dt><dd>{{ o.status }}</dd>
</dl></div>
{% if o.status == "pending" %}
<form method="post" action="/pay/{{ o.order.order_id }}">
<p><label><input type="checkbox" name="notify" value="0"> Mô phỏng mất thông báo: không gửi xác nhận
cho hệ thống (để thử việc đối soát giao dịch treo)</label></p>
<button class="pay" type="submit" name="decision" value="pay">Thanh toán</button>
<button type="submit" name="decision" value="cancel">Hủy giao dịch</button>
<button type="submit" name="decision" value="fail">Giao dịch thất bại</button>
</form>
{% else %}<p>Giao dịch đã kết thúc ({{ o.status }}).</p>{% endif %}
{% elif view == "refused" %}
<h1>Không thể thanh toán</h1><p class="card" role="alert">{{ problem }}</p>
{% else %}
<h1>Các giao dịch</h1>
<table><thead><tr><th>Mã đơn hàng</th><th>Số tiền</th><th>Trạng thái</th><th>Thông báo đã gửi</th></tr>
</thead><tbody>
{% for o in orders %}<tr><td>{{ o.order.order_id }}</td><td>{{ o.order.amount }}</td><td>{{ o.status }}</td>
<td>{% for d in o.deliveries %}{{ d.status or d.body }} {% endfor %}</td></tr>
{% else %}<tr><td colspan="4">Chưa có giao dịch.</td></tr>{% endfor %}
</tbody></table>
{% endif %}
</main></body></html>
"""


def serve(port: int, merchant_code: str, key: str) -> None:
    simulator = PaymentSimulator(merchant_code, key)
    print(f"Payment platform simulator (NOT the national platform) on http://127.0.0.1:{port}", flush=True)  # noqa: T201
    simulator.create_app().run(host="127.0.0.1", port=port, threaded=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Development stand-in for the national payment platform")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("--merchant-code", required=True)
    parser.add_argument("--key", required=True, help="the HMAC key shared with the application")
    args = parser.parse_args(argv)
    serve(args.port, args.merchant_code, args.key)


if __name__ == "__main__":
    main()
