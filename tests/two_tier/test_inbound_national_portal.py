"""Dossiers filed on the National Public Service Portal in today's two-tier An Giang: the portal (the
simulator, a real HTTP server) pushes a filing through the LGSP's signed door of the live server, a
real rq worker fetches its documents into S3 and makes it a dossier of xã Cần Đăng's service centre,
the reception officer accepts it in the browser, and every status goes back to the portal in order.
A filing naming a commune of the three-tier past is received by its successor's centre."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.national.models import InboundFiling
from app.national.simulator import PortalSimulator
from app.procedures import get_registry
from tests.factories import act
from tests.inbound.support import birth_filing, filing_of, import_now, receive
from tests.two_tier.world import CAN_DANG_CENTRE, OLD_CAN_DANG
from tests.web import totp_code

ROOT = Path(__file__).resolve().parents[2]
KEY = "two-tier-lgsp-key"


@pytest.fixture(scope="module")
def portal():
    simulator = PortalSimulator(inbound_key=KEY, mode="push").start()
    yield simulator
    simulator.stop()


def _settings(portal: PortalSimulator, queue: str) -> dict[str, str]:
    return {
        "RQ_QUEUE": queue,
        "NATIONAL_PORTAL_URL": portal.url("/lgsp/dossiers"),
        "INBOUND_TRANSPORT": "push",
        "INBOUND_HMAC_KEY": KEY,
        "NATIONAL_FILE_URL_PREFIXES": portal.url("/files/"),
        "INBOUND_DOSSIER_CODE": "national",
    }


@pytest.fixture
def linked(app, service_env, live_server, portal):
    """The live server and a worker of their own, both linked to the simulator; restored after."""
    settings = _settings(portal, f"inbound-{uuid.uuid4().hex[:8]}")
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    portal.inbound_url = f"{live_server}/api/lgsp/v1/filings"
    env = {**os.environ, **service_env, **settings, "APP_ENV": "development"}
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / f"inbound-worker-{settings['RQ_QUEUE']}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    yield portal
    worker.terminate()
    try:
        worker.wait(timeout=60)  # a warm shutdown finishes the job at hand (a PDF render)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    log.close()
    portal.inbound_url = None
    app.config.update(saved)
    from tests.conftest import drop_queue_keys

    drop_queue_keys(app.extensions["redis"], settings["RQ_QUEUE"])


def _until(check, timeout: float = 120, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _sign_in(page, login: str):
    page.goto("/login")
    page.get_by_label("Số CCCD hoặc tên đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill("demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if "/login/second-factor" in page.url:
        page.get_by_label("Mã xác thực").fill(totp_code(login))
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_a_dossier_filed_on_the_portal_is_accepted_processed_and_reported_back_in_order(
    linked, page_factory, user
):
    code = birth_filing(linked, CAN_DANG_CENTRE, name="Đặng Thị Cổng")

    def imported():
        filing = db.session.scalar(select(InboundFiling).where(InboundFiling.national_code == code))
        return filing if filing is not None and filing.state == "received" else None

    dossier = _until(imported, what=f"{code} to become a dossier").dossier
    assert dossier.code == code and dossier.current_unit.code == CAN_DANG_CENTRE

    page = _sign_in(page_factory(width=360, height=780), "tn.candang")
    page.goto("/work/queues/reception")
    row = page.locator("tr", has_text=code)
    assert row.count() == 1 and "Cổng DVC quốc gia" in row.inner_text()
    page.goto(f"/work/dossiers/{code}")
    documents = page.locator("#giay-to").inner_text()
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    assert all(procedure.document(d.doc_key).name.vi in documents for d in dossier.documents)
    page.locator('form.ws-action[data-action="accept"] button').click()
    page.wait_for_load_state()
    db.session.rollback()
    dossier = db.session.get(type(dossier), dossier.id)
    assert dossier.state == "accepted" and dossier.events[-1].actor.username == "tn.candang"

    reception, leader, specialist = user("tn.candang"), user("ld.candang"), user("cv.candang")
    dossier = act(dossier, "forward", reception)
    dossier = act(dossier, "assign", leader, {"assignee": "cv.candang"})
    dossier = act(dossier, "propose", specialist)
    dossier = act(dossier, "approve", leader)
    dossier = act(dossier, "complete", reception)
    dossier = act(dossier, "deliver", reception, {"return_method": "counter"})
    expected = [procedure.states[e.to_state].national_code for e in dossier.events]
    assert expected[0] == 1 and expected[1] == 2 and expected[-1] == 10

    _until(lambda: len(linked.statuses(code)) == len(expected), what="every status at the portal")
    assert linked.statuses(code) == expected  # in order, each message once
    progress = linked.first_arrivals(code, "progress")
    assert [m.status for m in progress] == expected[1:]
    assert all(m.valid for m in linked.messages(code))  # every message met its JSON Schema


def test_a_filing_to_a_commune_of_the_three_tier_past_goes_to_its_successors_centre(app, portal):
    settings = _settings(portal, app.config["RQ_QUEUE"])
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    try:
        code = birth_filing(portal, OLD_CAN_DANG)
        assert import_now(receive(portal, code).filing.id) == "received"
        dossier = filing_of(code).dossier
        assert dossier.receiving_unit.code == CAN_DANG_CENTRE and dossier.dispatch_reason is None
        assert dossier.procedure_version >= 2  # the version in force today
    finally:
        app.config.update(saved)
