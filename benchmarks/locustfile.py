"""Load test of the one-stop system with Locust: the three kinds of people who use it at once.

- **Citizens** (`congdan`, `congdan2`) browse the catalogue (portal page and API, a search, a
  procedure's definition), track their dossiers (list, detail) and now and then submit a birth
  registration (`1.001193`) at UBND xã Cần Đăng with its three required documents, each submission
  with an `Idempotency-Key` as the pages send one.
- **Reception officers** of xã Cần Đăng (`tn.candang`) list their queue and accept one of the first
  dossiers in it. Several officers work the same queue, so two may pick the same dossier: the second
  gets the 409 the API promises, recorded as its own request kind (`accept (already taken)`), not as
  a failure.
- **Supervisors** of the province (`giamsat.tinh`) open the dashboard API: indicators, ranking by
  unit and by procedure, trend, and the dossier list behind a figure.

Each simulated person signs in once through `POST /api/v1/auth/token` with the demo password (staff
with a code of the demo second factor too) and then uses the bearer token. The form and the
documents of a submission are built from the procedure's published definition
(`GET /api/v1/procedures/<code>`), as an API client would. Requests are named by kind
(`GET /api/v1/dossiers/[code]`), so the figures are per kind.

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 20 -r 5 -t 2m --host http://127.0.0.1:8000

`make load` (benchmarks/load.py) starts everything this needs and runs it; see benchmarks/README.md.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid

import pyotp
from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo12345")  # the demo accounts' password (app/demo/seed.py)
TOTP_SECRET = os.environ.get("LOAD_TOTP_SECRET", "ANGIANGDEMOTOTPSECRETONLYFORDEMO")  # demo staff (seed)
BIRTH = "1.001193"
COMMUNE = "000.21.30.H01"  # UBND xã Cần Đăng, where tn.candang receives
SAMPLE_VALUES = {
    "string": "Nguyễn Văn A",
    "text": "Nội dung đề nghị",
    "integer": 2,
    "number": 1.5,
    "boolean": True,
    "date": "2026-11-20",
    "email": "a@example.vn",
    "phone": "0912345678",
    "cccd": "089090000123",
}


def minimal_pdf() -> bytes:
    """The smallest well-formed PDF: a catalog, an empty page tree, its cross-reference table."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = minimal_pdf()


class _TotpSteps:
    """Codes of the demo staff accounts' authenticator (the documented demo secret). The app accepts
    a code once, for the current 30-second step or one either side (RFC 6238), so simulated officers
    sharing one account take the steps in turn, and wait for the next step when all three are spent."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def code(self, username: str) -> str:
        totp = pyotp.TOTP(TOTP_SECRET)
        while True:
            now = totp.timecode(time.time())
            step = max(now - 1, self.last.get(username, now - 2) + 1)
            if step <= now + 1:
                self.last[username] = step
                return totp.generate_otp(step)
            time.sleep(totp.interval - time.time() % totp.interval + 0.05)


TOTP_STEPS = _TotpSteps()


class SignedIn(HttpUser):
    abstract = True
    usernames: tuple[str, ...] = ()
    staff = False  # staff send the code of their second factor too

    def on_start(self) -> None:
        username = random.choice(self.usernames)
        login = {"username": username, "password": PASSWORD}
        if self.staff:
            login["otp"] = TOTP_STEPS.code(username)
        with self.client.post(
            "/api/v1/auth/token",
            json=login,
            name="POST /api/v1/auth/token",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"sign-in of {username}: HTTP {answer.status_code}")
                self.stop()
                return
        self.client.headers["Authorization"] = f"Bearer {answer.json()['token']}"


class Citizen(SignedIn):
    weight = 12
    wait_time = between(1, 4)
    usernames = ("congdan", "congdan2")

    def on_start(self) -> None:
        super().on_start()
        definition = self.client.get(
            f"/api/v1/procedures/{BIRTH}", name="GET /api/v1/procedures/[code]"
        ).json()
        self.form = {
            "procedure_code": BIRTH,
            "unit": COMMUNE,
            "data": json.dumps(
                {
                    f["key"]: f["choices"][0] if f["type"] == "choice" else SAMPLE_VALUES[f["type"]]
                    for f in definition["form"]
                }
            ),
        }
        self.documents = [d["key"] for d in definition["documents"] if d["required"]]
        self.codes: list[str] = []

    @task(4)
    def browse_catalogue_page(self) -> None:
        self.client.get("/procedures", name="GET /procedures (page)")

    @task(4)
    def list_procedures(self) -> None:
        self.client.get("/api/v1/procedures", name="GET /api/v1/procedures")

    @task(2)
    def search_procedures(self) -> None:
        self.client.get("/api/v1/procedures?q=khai sinh", name="GET /api/v1/procedures?q=")

    @task(2)
    def read_procedure(self) -> None:
        self.client.get(f"/api/v1/procedures/{BIRTH}", name="GET /api/v1/procedures/[code]")

    @task(3)
    def track_dossiers(self) -> None:
        page = self.client.get("/api/v1/dossiers?limit=20", name="GET /api/v1/dossiers").json()
        self.codes = [item["code"] for item in page["items"]] or self.codes

    @task(3)
    def track_one(self) -> None:
        if self.codes:
            self.client.get(
                f"/api/v1/dossiers/{random.choice(self.codes)}", name="GET /api/v1/dossiers/[code]"
            )

    @task(2)
    def submit(self) -> None:
        files = {key: (f"{key}.pdf", PDF, "application/pdf") for key in self.documents}
        with self.client.post(
            "/api/v1/dossiers",
            data=self.form,
            files=files,
            headers={"Idempotency-Key": f"load-{uuid.uuid4().hex}"},
            name="POST /api/v1/dossiers (3 PDFs)",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")
                return
            self.codes.append(answer.json()["code"])


class ReceptionOfficer(SignedIn):
    weight = 5
    wait_time = between(1, 4)
    usernames = ("tn.candang",)
    staff = True

    @task(3)
    def list_queue(self) -> None:
        self.client.get("/api/v1/queues/reception?limit=20", name="GET /api/v1/queues/reception")

    @task(2)
    def accept_one(self) -> None:
        page = self.client.get(
            "/api/v1/queues/reception?limit=20", name="GET /api/v1/queues/reception"
        ).json()
        if not page["items"]:
            return
        code = random.choice(page["items"][:5])["code"]
        with self.client.post(
            f"/api/v1/dossiers/{code}/transitions",
            json={"name": "accept"},
            name="POST /api/v1/dossiers/[code]/transitions accept",
            catch_response=True,
        ) as answer:
            if answer.status_code == 409:  # another officer took it first: the promised answer
                answer.request_meta["name"] = "POST .../transitions accept (already taken, 409)"
                answer.success()
            elif answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")


class Supervisor(SignedIn):
    weight = 3
    wait_time = between(2, 6)
    usernames = ("giamsat.tinh",)
    staff = True

    @task(3)
    def indicators(self) -> None:
        self.client.get("/api/v1/stats/indicators", name="GET /api/v1/stats/indicators")

    @task(2)
    def by_unit(self) -> None:
        self.client.get("/api/v1/stats/by-unit", name="GET /api/v1/stats/by-unit")

    @task(1)
    def by_procedure(self) -> None:
        self.client.get("/api/v1/stats/by-procedure", name="GET /api/v1/stats/by-procedure")

    @task(1)
    def trend(self) -> None:
        self.client.get("/api/v1/stats/trend", name="GET /api/v1/stats/trend")

    @task(1)
    def dossiers_behind(self) -> None:
        self.client.get("/api/v1/stats/dossiers?metric=received", name="GET /api/v1/stats/dossiers")
