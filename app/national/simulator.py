"""A development stand-in for the National Public Service Portal and the provincial LGSP in front of
it: a real HTTP server on loopback, NOT the national portal.

`make run` starts it beside the application (`python -m app.national.simulator`); the tests and the
delivery benchmark serve it in a thread. Both directions of the contract, as this system sees them:

- **out**: `POST /lgsp/dossiers` receives the outbound sync's messages (the app's
  NATIONAL_PORTAL_URL), checks the bearer token when one is set, validates each `DuLieu` against the
  shipped JSON Schemas (app.national.messages.validate) and keeps every delivery, duplicates
  included; a message that fails its schema is answered 400 and recorded as invalid;
- **in**: `POST /sim/filings` files a dossier with its documents (as a citizen on the portal would);
  its envelope (app.national.inbound.build_envelope) is pushed, signed, to the system's
  `/api/lgsp/v1/filings` (push mode, retried with backoff while it does not answer), or offered at
  `GET /lgsp/inbound` until acknowledged at `POST /lgsp/inbound/ack` (poll mode); its documents are
  served at `GET /files/<id>`, where a file can be told to break off half way (`cut`) or to answer
  503 a number of times (`fail`);
- **down on command**: `POST /sim/outage {"seconds": N}` (or `down()`/`up()` in a test) stops
  listening, so the system's calls are refused, and pushes wait, for N seconds: an outage of the
  link, both ways.

`GET /` shows what was filed and received (each dossier's statuses in the order they first
arrived) and a form to file a sample dossier; `GET /sim/messages` gives the same as JSON.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.national import inbound
from app.national.messages import SchemaError, validate
from app.national.transport import sign

KINDS = {"HoSo": "dossier", "TienDoXuLy": "progress"}
PUSH_DELAYS = (1, 2, 4, 8, 15, 30)


def sample_pdf(note: str = "") -> bytes:
    """A small well-formed PDF (catalog, empty page tree, cross-reference table); `note` tells files apart."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n" + (b"% " + note.encode() + b"\n" if note else b""))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass
class SimFile:
    content: bytes
    cut: bool = False  # send half, then close the connection
    fail: int = 0  # answer 503 this many more times
    downloads: int = 0


@dataclass
class SimFiling:
    envelope: dict[str, Any]
    pushed: bool = False
    acknowledged: bool = False
    answer: dict[str, Any] | None = None  # the system's last answer to a push
    refused: str | None = None  # why the system refused it
    attempts: int = 0
    next_push_at: float = 0.0


@dataclass
class Received:
    message_id: str
    kind: str
    code: str | None
    status: int | None
    valid: bool
    problems: list[str]
    at: float = field(default_factory=time.monotonic)
    document: dict[str, Any] = field(default_factory=dict)


class PortalSimulator:
    def __init__(
        self,
        *,
        inbound_url: str | None = None,
        inbound_key: str | None = None,
        token: str | None = None,
        mode: str = "push",
        system_url: str | None = None,
    ) -> None:
        self.inbound_url, self.inbound_key, self.token = inbound_url, inbound_key, token
        self.mode, self.system_url = mode, system_url
        self.filings: dict[str, SimFiling] = {}
        self.files: dict[str, SimFile] = {}
        self.received: list[Received] = []
        self.lock = threading.RLock()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.is_down = threading.Event()
        self._serial = 0

    # --- the server --------------------------------------------------------------------------------

    def start(self, port: int = 0) -> PortalSimulator:
        self.port = port
        self.up()
        threading.Thread(target=self._push_loop, daemon=True, name="portal-sim-push").start()
        return self

    def up(self) -> None:
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self.is_down.clear()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._wake.set()

    def down(self) -> None:
        """Stop listening: the system's calls are refused, and pushes wait."""
        self.is_down.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def outage(self, seconds: float) -> None:
        """Down now, back up after `seconds` (from another thread: the caller's answer goes out first)."""

        def run() -> None:
            time.sleep(0.2)
            self.down()
            time.sleep(seconds)
            self.up()

        threading.Thread(target=run, daemon=True, name="portal-sim-outage").start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.down()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # --- filing ------------------------------------------------------------------------------------

    def add_file(self, content: bytes, *, cut: bool = False, fail: int = 0) -> str:
        file_id = secrets.token_hex(12)
        with self.lock:
            self.files[file_id] = SimFile(content, cut=cut, fail=fail)
        return file_id

    def next_code(self, unit_code: str) -> str:
        with self.lock:
            self._serial += 1
            serial = self._serial
        return f"{unit_code}-{datetime.now(UTC):%y%m%d}-Q{serial:04d}{secrets.token_hex(2).upper()}"

    def file_dossier(
        self,
        *,
        procedure: str,
        unit: str,
        applicant: dict[str, Any],
        form: dict[str, Any],
        documents: list[tuple[str, str, bytes]],
        national_code: str | None = None,
        cut: tuple[str, ...] = (),
        fail: dict[str, int] | None = None,
    ) -> str:
        """File a dossier (documents: (code, file name, bytes)); its national code. `cut` / `fail`
        name documents whose download breaks off half way / answers 503 that many times."""
        code = national_code or self.next_code(unit)
        files = []
        for doc_code, name, content in documents:
            file_id = self.add_file(content, cut=doc_code in cut, fail=(fail or {}).get(doc_code, 0))
            files.append(
                inbound.RemoteFile(
                    doc_code,
                    name,
                    self.url(f"/files/{file_id}"),
                    len(content),
                    hashlib.sha256(content).hexdigest(),
                )
            )
        filing = inbound.InboundFiling(
            message_id=f"nop-{code}",
            national_code=code,
            localised_code=procedure,
            unit_code=unit,
            filed_at=datetime.now(UTC),
            applicant=_applicant(applicant),
            form=form,
            files=tuple(files),
            summary=applicant.get("summary"),
        )
        with self.lock:
            self.filings[code] = SimFiling(inbound.build_envelope(filing))
        self._wake.set()
        return code

    def repair(self, code: str) -> None:
        """Documents of a filing download whole again."""
        with self.lock:
            for doc in self.filings[code].envelope["DuLieu"]["TepDinhKem"]:
                found = self.files[doc["DuongDanTaiTep"].rsplit("/", 1)[1]]
                found.cut, found.fail = False, 0

    def resend(self, code: str) -> None:
        """Send a filing again, as a portal whose acknowledgement was lost would."""
        with self.lock:
            filing = self.filings[code]
            filing.pushed = filing.acknowledged = False
            filing.next_push_at = 0.0
        self._wake.set()

    # --- pushing -----------------------------------------------------------------------------------

    def _due_pushes(self) -> list[tuple[str, SimFiling]]:
        now = time.monotonic()
        with self.lock:
            return [
                (code, f)
                for code, f in self.filings.items()
                if not f.pushed and f.refused is None and f.next_push_at <= now
            ]

    def _push_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            if self.mode != "push" or not self.inbound_url or self.is_down.is_set():
                continue
            for code, filing in self._due_pushes():
                if self.is_down.is_set():
                    break
                self._push(code, filing)

    def _push(self, code: str, filing: SimFiling) -> None:
        body = json.dumps(filing.envelope, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Timestamp": timestamp}
        headers["X-Signature"] = sign(self.inbound_key or "", timestamp, body)
        request = urllib.request.Request(self.inbound_url, data=body, method="POST", headers=headers)  # noqa: S310
        status, answer = None, None
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                status, answer = response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, _json_or_none(exc.read())
        except (urllib.error.URLError, OSError, ValueError):
            status = None
        with self.lock:
            filing.attempts += 1
            filing.answer = answer
            if status is not None and 200 <= status < 300:
                filing.pushed = True
            elif status is not None and 400 <= status < 500:
                filing.refused = json.dumps(answer, ensure_ascii=False)[:1000] if answer else f"HTTP {status}"
            else:
                filing.next_push_at = (
                    time.monotonic() + PUSH_DELAYS[min(filing.attempts, len(PUSH_DELAYS)) - 1]
                )

    # --- what the system sent ----------------------------------------------------------------------

    def record(self, document: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(document, dict) or document.get("LoaiBanTin") not in KINDS:
            return 400, {"error": "LoaiBanTin must be HoSo or TienDoXuLy"}
        kind, data = KINDS[document["LoaiBanTin"]], document.get("DuLieu")
        problems: list[str] = []
        try:
            validate(data if isinstance(data, dict) else {}, kind)
        except SchemaError as exc:
            problems = exc.fields or [str(exc)]
        code = data.get("MaHoSo") if isinstance(data, dict) else None
        status = (data.get("TrangThaiHoSo") if kind == "dossier" else data.get("TrangThai")) if data else None
        with self.lock:
            self.received.append(
                Received(
                    str(document.get("MaBanTin")),
                    kind,
                    code,
                    status,
                    not problems,
                    problems,
                    document=document,
                )
            )
        return (400, {"error": "schema", "fields": problems}) if problems else (200, {"KetQua": "DaNhan"})

    def messages(self, code: str | None = None, kind: str | None = None) -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.received
                if (code is None or r.code == code) and (kind is None or r.kind == kind)
            ]

    def first_arrivals(self, code: str | None = None, kind: str | None = None) -> list[Received]:
        """Each message id once, in the order it first arrived (what a receiver that drops
        duplicates keeps)."""
        seen: dict[str, Received] = {}
        for message in self.messages(code, kind):
            seen.setdefault(message.message_id, message)
        return list(seen.values())

    def statuses(self, code: str) -> list[int | None]:
        """The national status of each dossier message about `code`, in first-arrival order."""
        return [m.status for m in self.first_arrivals(code, "dossier")]

    def offered(self, limit: int) -> list[dict[str, Any]]:
        with self.lock:
            rows = [f.envelope for f in self.filings.values() if not f.acknowledged]
        return rows[:limit]

    def acknowledge(self, message_ids: list[str], refused: dict[str, str]) -> None:
        with self.lock:
            for filing in self.filings.values():
                if filing.envelope["MaBanTin"] in message_ids:
                    filing.acknowledged = True
                    filing.refused = refused.get(filing.envelope["MaBanTin"], filing.refused)

    def summary(self) -> dict[str, Any]:
        with self.lock:
            codes = sorted({r.code for r in self.received if r.code})
            return {
                "filings": {
                    c: {"pushed": f.pushed, "acknowledged": f.acknowledged, "refused": f.refused}
                    for c, f in self.filings.items()
                },
                "dossiers": {c: self.statuses(c) for c in codes},
                "received": len(self.received),
                "invalid": sum(1 for r in self.received if not r.valid),
            }

    def demo_filing(self, procedure_code: str, unit_code: str, cccd: str, name: str) -> str:
        """A sample dossier of a procedure, its form and documents read from the system's public API
        (sample values, one small PDF per required document)."""
        with urllib.request.urlopen(f"{self.system_url}/api/v1/procedures/{procedure_code}", timeout=10) as r:  # noqa: S310
            procedure = json.loads(r.read())
        form = {f["key"]: _sample(f, unit_code) for f in procedure.get("form", []) if f.get("required")}
        documents = [
            (d["key"], f"{d['key']}.pdf", sample_pdf(d["key"]))
            for d in procedure.get("documents", [])
            if d.get("required") and not d.get("replaced_by_identity")
        ]
        applicant = {"name": name, "cccd": cccd, "phone": "0912345678", "email": "congdan@example.vn"}
        return self.file_dossier(
            procedure=procedure_code, unit=unit_code, applicant=applicant, form=form, documents=documents
        )


def _applicant(given: dict[str, Any]) -> inbound.Applicant:
    return inbound.Applicant(
        name=given["name"],
        assurance_level=int(given.get("level", 2)),
        personal_id=given.get("cccd"),
        phone=given.get("phone"),
        email=given.get("email"),
        address=given.get("address"),
        subject=given.get("subject"),
    )


_SAMPLES = {
    "string": "Nguyễn Văn Mẫu",
    "text": "Nội dung mẫu",
    "integer": 1,
    "number": 1,
    "boolean": True,
    "date": "2025-11-20",
    "email": "congdan@example.vn",
    "phone": "0912345678",
    "cccd": "089190000321",
}


def _sample(spec: dict[str, Any], unit_code: str) -> Any:
    if spec.get("choices"):
        return spec["choices"][0]
    return unit_code if spec.get("type") == "unit" else _SAMPLES.get(spec.get("type"), "mẫu")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


# --- HTTP ----------------------------------------------------------------------------------------


def _handler(sim: PortalSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _send(
            self, status: int, payload: Any, content_type: str = "application/json; charset=utf-8"
        ) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            if sim.token and self.headers.get("Authorization") != f"Bearer {sim.token}":
                self._send(401, {"error": "unauthorised"})
                return False
            return True

        def do_GET(self) -> None:  # the name http.server calls
            parts = urlsplit(self.path)
            if parts.path.startswith("/files/"):
                self._file(parts.path.rsplit("/", 1)[1])
            elif parts.path == "/lgsp/inbound":
                if self._authorised():
                    limit = (parse_qs(parts.query).get("limit") or ["100"])[0]
                    self._send(200, {"DanhSach": sim.offered(int(limit) if limit.isdigit() else 100)})
            elif parts.path == "/sim/messages":
                self._send(200, sim.summary())
            elif parts.path == "/":
                self._send(200, _page(sim).encode(), "text/html; charset=utf-8")
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:  # the name http.server calls
            path, body = urlsplit(self.path).path, self._body()
            if path == "/lgsp/dossiers":
                if self._authorised():
                    self._send(*sim.record(_json_or_none(body)))
            elif path == "/lgsp/inbound/ack":
                if self._authorised():
                    data = _json_or_none(body) or {}
                    refused = {r.get("MaBanTin"): r.get("LyDo") for r in data.get("TuChoi") or []}
                    sim.acknowledge(list(data.get("MaBanTin") or []), refused)
                    self._send(200, {"KetQua": "DaNhan"})
            elif path == "/sim/filings":
                self._filing(_json_or_none(body) or {})
            elif path == "/sim/outage":
                seconds = float((_json_or_none(body) or {}).get("seconds", 600))
                self._send(202, {"down_for_seconds": seconds})
                sim.outage(seconds)
            elif path == "/sim/demo-filing":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                try:
                    code = sim.demo_filing(form["procedure"], form["unit"], form["cccd"], form["name"])
                except (KeyError, OSError, ValueError) as exc:
                    self._send(400, {"error": str(exc)})
                    return
                self.send_response(303)
                self.send_header("Location", f"/?filed={code}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(404, {"error": "not found"})

        def _filing(self, data: dict[str, Any]) -> None:
            try:
                documents = [
                    (
                        d["code"],
                        d.get("name") or f"{d['code']}.pdf",
                        base64.b64decode(d["content_base64"])
                        if d.get("content_base64")
                        else sample_pdf(d["code"]),
                    )
                    for d in data.get("documents", [])
                ]
                code = sim.file_dossier(
                    procedure=data["procedure"],
                    unit=data["unit"],
                    applicant=data["applicant"],
                    form=data.get("form", {}),
                    documents=documents,
                    national_code=data.get("national_code"),
                    cut=tuple(data.get("cut", ())),
                    fail=data.get("fail"),
                )
            except (KeyError, TypeError, ValueError) as exc:
                self._send(422, {"error": f"{type(exc).__name__}: {exc}"})
                return
            self._send(201, {"MaHoSo": code})

        def _file(self, file_id: str) -> None:
            failing = False
            with sim.lock:
                found = sim.files.get(file_id)
                if found is not None:
                    found.downloads += 1
                    failing, found.fail = found.fail > 0, max(0, found.fail - 1)
            if found is None:
                self._send(404, {"error": "no such file"})
                return
            if failing:
                self._send(503, {"error": "try later"})
                return
            content = found.content
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if found.cut:  # half the bytes, then the connection goes away
                self.wfile.write(content[: len(content) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(content)

    return Handler


def _page(sim: PortalSimulator) -> str:
    summary = sim.summary()
    rows = "".join(
        f"<tr><td>{html.escape(code)}</td>"
        f"<td>{'đã gửi' if f['pushed'] or f['acknowledged'] else 'chờ gửi'}</td>"
        f"<td>{html.escape(f['refused'] or '')}</td></tr>"
        for code, f in summary["filings"].items()
    )
    statuses = "".join(
        f"<tr><td>{html.escape(code)}</td><td>{' → '.join(str(s) for s in values)}</td></tr>"
        for code, values in summary["dossiers"].items()
    )
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng DVC quốc gia (bản mô phỏng)</title>
<style>body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem}}
.warn{{background:#fff3cd;border:2px solid #b58100;padding:.75rem;border-radius:.5rem}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}}
label{{display:block;margin-top:.5rem}}input{{width:100%;padding:.5rem;box-sizing:border-box}}
button{{margin-top:.75rem;padding:.6rem 1rem}}</style></head><body>
<p class="warn" role="note"><strong>Bản mô phỏng Cổng Dịch vụ công quốc gia dùng cho phát triển.</strong>
Đây KHÔNG phải Cổng Dịch vụ công quốc gia. Development stand-in, not the national portal.</p>
<h1>Nộp hồ sơ mẫu</h1>
<form method="post" action="/sim/demo-filing">
<label for="procedure">Mã thủ tục</label><input id="procedure" name="procedure" value="1.001193" required>
<label for="unit">Mã định danh đơn vị tiếp nhận</label>
<input id="unit" name="unit" value="001.24.50.H91" required>
<label for="cccd">Số định danh cá nhân</label>
<input id="cccd" name="cccd" value="089190000222" inputmode="numeric" required>
<label for="name">Họ và tên</label><input id="name" name="name" value="Lê Thị Hoa" required>
<button type="submit">Nộp hồ sơ</button></form>
<h2>Hồ sơ đã nộp</h2>
<table><tr><th>Mã hồ sơ</th><th>Gửi sang tỉnh</th><th>Tỉnh từ chối</th></tr>{rows}</table>
<h2>Trạng thái nhận từ tỉnh</h2>
<p>{summary["received"]} bản tin, {summary["invalid"]} sai khuôn dạng.</p>
<table><tr><th>Mã hồ sơ</th><th>Trạng thái (theo thứ tự nhận)</th></tr>{statuses}</table>
</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Development stand-in for the National Public Service Portal"
    )
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("--system-url", default="http://127.0.0.1:5000")
    parser.add_argument("--inbound-key", default="dev-only-lgsp-key")
    parser.add_argument("--token", default=None)
    parser.add_argument("--mode", choices=["push", "poll"], default="push")
    args = parser.parse_args()
    sim = PortalSimulator(
        inbound_url=f"{args.system_url}/api/lgsp/v1/filings",
        inbound_key=args.inbound_key,
        token=args.token,
        mode=args.mode,
        system_url=args.system_url,
    ).start(args.port)
    print(f"National portal development stand-in (NOT the national portal) on {sim.url()}", flush=True)  # noqa: T201
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
