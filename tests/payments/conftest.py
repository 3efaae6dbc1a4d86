"""The payment platform on loopback for the payment tests: the simulator (app.payments.simulator)
served in a thread for the session, and a relay that keeps the confirmations the simulator sends, so
a rollback-isolated test can hand them to the app itself (the app's own server runs only in the
browser test, whose data is committed)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.payments.simulator import PaymentSimulator

MERCHANT, KEY = "MOTCUA-TEST", "test-payment-key-not-used-elsewhere"


@dataclass
class Relay:
    """A loopback HTTP endpoint standing for the app's notify URL: it keeps each confirmation."""

    url: str = ""
    received: list[dict] = field(default_factory=list)

    def __call__(self, environ, start_response):  # a WSGI application
        request = Request(environ)
        self.received.append(json.loads(request.get_data(as_text=True) or "null"))
        return Response(json.dumps({"code": "00"}), content_type="application/json")(environ, start_response)

    def last_for(self, order_id: str) -> dict:
        found = [body for body in self.received if isinstance(body, dict) and body.get("orderId") == order_id]
        assert found, f"the simulator sent no confirmation for {order_id}"
        return found[-1]


def _serve(application) -> tuple[str, object, threading.Thread]:
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture(scope="session")
def simulator():
    sim = PaymentSimulator(MERCHANT, KEY)
    sim.url, server, thread = _serve(sim.create_app())
    yield sim
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def relay():
    keeper = Relay()
    keeper.url, server, thread = _serve(keeper)
    yield keeper
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def platform_config(app, simulator, relay, monkeypatch):
    """The app talks to the simulator during this test; confirmations go to the relay."""
    for name, value in {
        "PAYMENT_PLATFORM_URL": simulator.url,
        "PAYMENT_MERCHANT_CODE": MERCHANT,
        "PAYMENT_PLATFORM_KEY": KEY,
        "PAYMENT_NOTIFY_URL": relay.url,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return simulator
