"""Dossiers filed on the national portal (the simulator, a real HTTP server) become dossiers here:
recorded as the push endpoint and the polling job record them, imported as the import job does,
with the documents streamed from the portal into the real S3 store."""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.identity.queries import find_identity
from app.inbound.jobs import poll_once
from app.inbound.receiving import name_procedure
from app.jobs import get_queue
from app.national.messages import build_dossier_message, build_progress_message, validate
from app.national.models import InboundFiling
from app.national.simulator import SimFiling
from app.national.transport import signed_headers
from app.outbox.models import OutboxMessage
from app.procedures import get_registry
from app.storage import get_storage
from tests.factories import act, form_data, pdf_bytes
from tests.inbound.support import (
    BIRTH,
    HMAC_KEY,
    birth_filing,
    envelope,
    filing_of,
    import_now,
    new_cccd,
    receive,
)

COMMUNE = "000.21.30.H01"  # UBND xã Cần Đăng receives birth registrations (three tiers)
CENTRE = "000.00.01.H01"  # the provincial centre: the dispatch queue


def _dossiers(code: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.code == code))


def _push(client, document, key: str = HMAC_KEY, at: float | None = None):
    body = json.dumps(document, ensure_ascii=False).encode()
    headers = signed_headers(key, body, at)
    return client.post("/api/lgsp/v1/filings", data=body, headers=headers, content_type="application/json")


def test_a_filing_becomes_a_dossier_in_the_reception_queue_of_its_unit(inbound_app, portal, client, user):
    cccd = new_cccd()
    code = birth_filing(portal, COMMUNE, cccd=cccd)
    recorded = receive(portal, code)
    assert not recorded.is_duplicate and recorded.filing.state == "pending"

    assert import_now(recorded.filing.id) == "received"
    dossier = filing_of(code).dossier
    assert dossier.code == code and dossier.channel == "national_portal" and dossier.state == "submitted"
    assert dossier.receiving_unit.code == COMMUNE and dossier.current_unit.code == COMMUNE
    assert dossier.dispatch_reason is None
    sent = {f["MaThanhPhanHoSo"]: f["MaBam"] for f in envelope(portal, code)["DuLieu"]["TepDinhKem"]}
    assert {d.doc_key: d.sha256 for d in dossier.documents} == sent
    assert all(get_storage().exists(d.storage_key) for d in dossier.documents)
    assert {d.content_type for d in dossier.documents} == {"application/pdf"}  # sniffed, as any upload
    identity = find_identity(dossier.applicant)
    assert identity.personal_id == cccd and identity.assurance_level == 2
    assert dossier.applicant_citizen_id == cccd
    topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.dossier_id == dossier.id))
    assert list(topics) == ["dossier.submitted"]  # what the outbound sync sends back to the portal

    from tests.web import sign_in

    sign_in(client, "tn.candang")
    queue = client.get("/work/queues/reception").get_data(as_text=True)
    assert code in queue and "Cổng DVC quốc gia" in queue


def test_the_same_national_code_twice_creates_nothing_new(inbound_app, portal, client):
    code = birth_filing(portal, COMMUNE)
    first = receive(portal, code)
    import_now(first.filing.id)

    again = receive(portal, code)
    assert again.is_duplicate and again.filing.id == first.filing.id
    pushed = _push(client, envelope(portal, code))
    assert pushed.status_code == 200
    assert pushed.json["KetQua"] == "TrungLap" and pushed.json["MaHoSoDiaPhuong"] == code
    assert import_now(first.filing.id) == "received"  # a second import job changes nothing

    count = select(func.count()).select_from(InboundFiling).where(InboundFiling.national_code == code)
    assert db.session.scalar(count) == 1 and _dossiers(code) == 1
    assert filing_of(code).duplicates == 2


def test_the_push_endpoint_takes_only_recent_calls_signed_with_the_lgsp_key(inbound_app, portal, client):
    code = birth_filing(portal, COMMUNE)
    document = envelope(portal, code)
    body = json.dumps(document).encode()
    unsigned = client.post("/api/lgsp/v1/filings", data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert _push(client, document, key="another-key").status_code == 401
    assert _push(client, document, at=time.time() - 3600).status_code == 401
    assert filing_of(code) is None

    accepted = _push(client, document)
    assert accepted.status_code == 202 and accepted.json["KetQua"] == "DaTiepNhan"
    assert filing_of(code).state == "pending" and filing_of(code).transport == "push"
    status = client.get(f"/api/lgsp/v1/filings/{code}", headers=signed_headers(HMAC_KEY, b""))
    assert status.status_code == 200 and status.json["TrangThai"] == "pending"


def test_an_envelope_off_the_contract_is_refused_naming_each_field(inbound_app, portal, client):
    document = copy.deepcopy(envelope(portal, birth_filing(portal, COMMUNE)))
    del document["DuLieu"]["MaTTHC"]
    document["DuLieu"]["ChuHoSo"]["SoDinhDanh"] = "123"
    document["DuLieu"]["TepDinhKem"][0]["DuongDanTaiTep"] = "file:///etc/passwd"
    answer = _push(client, document)
    assert answer.status_code == 422
    assert set(answer.json["error"]["details"]) == {
        "DuLieu.MaTTHC",
        "DuLieu.ChuHoSo.SoDinhDanh",
        "DuLieu.TepDinhKem[0].DuongDanTaiTep",
    }
    assert _push(client, "not an object").status_code == 422


def test_an_unknown_procedure_is_held_until_the_provincial_centre_names_it(inbound_app, portal, user):
    code = birth_filing(portal, COMMUNE, procedure="9.999999.000.00.00.H01")
    filing = receive(portal, code).filing
    assert import_now(filing.id) == "held"
    held = filing_of(code)
    assert "9.999999.000.00.00.H01" in held.reason and held.dossier_id is None and _dossiers(code) == 0

    with pytest.raises(PermissionDeniedError), unit_of_work():
        name_procedure(held, user("tn.candang"), BIRTH)  # a commune officer: not the dispatch queue
    with unit_of_work():
        name_procedure(filing_of(code), user("tn.tinh"), BIRTH)
    assert filing_of(code).state == "pending"
    assert import_now(filing.id) == "received"
    assert filing_of(code).dossier.procedure_code == BIRTH


def test_a_unit_this_system_does_not_know_sends_the_dossier_to_the_dispatch_queue(inbound_app, portal, user):
    code = birth_filing(portal, "000.99.99.H01")
    assert import_now(receive(portal, code).filing.id) == "received"
    dossier = filing_of(code).dossier
    assert "000.99.99.H01" in dossier.dispatch_reason and dossier.competent_unit is None
    assert dossier.current_unit.code == CENTRE and dossier.receiving_unit.code == CENTRE

    dossier = act(dossier, "dispatch", user("tn.tinh"), {"competent_unit": COMMUNE})
    assert dossier.dispatch_reason is None and dossier.competent_unit.code == COMMUNE


def _stored_objects() -> int:
    return sum(1 for _ in get_storage().list_objects("documents/"))


def test_a_document_that_breaks_off_mid_download_leaves_no_dossier_and_is_retried(inbound_app, portal):
    cccd = new_cccd()
    code = birth_filing(portal, COMMUNE, cccd=cccd, cut=("giay_chung_sinh",))  # the second of three
    before = _stored_objects()
    filing = receive(portal, code).filing

    assert import_now(filing.id) == "pending"
    failed = filing_of(code)
    assert failed.attempts == 1 and "giay_chung_sinh" in failed.reason and "đứt kết nối" in failed.reason
    assert failed.next_attempt_at > utcnow() and failed.dossier_id is None
    assert _dossiers(code) == 0 and db.session.scalar(select(User).where(User.citizen_id == cccd)) is None
    assert _stored_objects() == before  # the document stored before the break is deleted again
    scheduled = ScheduledJobRegistry(queue=get_queue()).get_job_ids()
    assert f"{inbound_app.config['RQ_QUEUE']}-inbound-{filing.id}-1" in scheduled  # its retry, at its time

    portal.repair(code)
    assert import_now(filing.id) == "pending" and filing_of(code).attempts == 1  # not due yet
    assert import_now(filing.id, now=failed.next_attempt_at + timedelta(seconds=1)) == "received"
    assert len(filing_of(code).dossier.documents) == 3


def test_an_applicant_not_identified_at_level_2_is_refused_and_may_be_sent_again(inbound_app, portal):
    cccd = new_cccd()
    code = birth_filing(portal, COMMUNE, cccd=cccd, level=1)
    assert import_now(receive(portal, code).filing.id) == "rejected"
    assert "ChuHoSo.MucDoDinhDanh" in filing_of(code).reason and _dossiers(code) == 0
    assert db.session.scalar(select(User).where(User.citizen_id == cccd)) is None

    birth_filing(portal, COMMUNE, cccd=cccd, national_code=code)  # corrected on the portal
    again = receive(portal, code)
    assert not again.is_duplicate and again.filing.state == "pending"
    assert import_now(again.filing.id) == "received"


def test_documents_are_fetched_only_from_the_portal(inbound_app, portal):
    inbound_app.config["NATIONAL_FILE_URL_PREFIXES"] = "https://files.dichvucong.example/"
    code = birth_filing(portal, COMMUNE)
    assert import_now(receive(portal, code).filing.id) == "rejected"
    assert "Cổng DVC quốc gia" in filing_of(code).reason
    assert all(f.downloads == 0 for f in portal.files.values())


def test_a_localised_code_and_the_portals_own_names_are_mapped(inbound_app, portal):
    procedure = get_registry().current(BIRTH)
    form = form_data(procedure)
    form["HoTenTre"], form["NgaySinhTre"] = form.pop("child_full_name"), form.pop("child_birth_date")
    renamed = {"to_khai_khai_sinh": "TKKS", "giay_chung_sinh": "GCS"}
    required = [d.key for d in procedure.documents if d.required]
    documents = [(renamed.get(key, key), f"{key}.pdf", pdf_bytes(key)) for key in required]
    applicant = {"name": "Lý Văn Mã", "cccd": new_cccd()}
    code = portal.file_dossier(
        procedure="1.001193.000.00.00.H91", unit=COMMUNE, applicant=applicant, form=form, documents=documents
    )
    assert import_now(receive(portal, code).filing.id) == "received"
    dossier = filing_of(code).dossier
    assert dossier.procedure_code == BIRTH and dossier.data["child_full_name"] == form["HoTenTre"]
    assert {d.doc_key for d in dossier.documents} >= {"to_khai_khai_sinh", "giay_chung_sinh"}


def test_a_province_that_allocates_local_codes_still_tells_the_portal_its_code(inbound_app, portal):
    inbound_app.config["INBOUND_DOSSIER_CODE"] = "local"
    code = birth_filing(portal, COMMUNE)
    assert import_now(receive(portal, code).filing.id) == "received"
    dossier = filing_of(code).dossier
    assert dossier.code != code and dossier.code.startswith(f"{COMMUNE}-")
    message = build_dossier_message(dossier, dossier.events[0])
    validate(message, "dossier")
    assert message["MaHoSo"] == code and message["KenhNopHoSo"] == 2  # filed online
    assert build_progress_message(dossier, dossier.events[0])["MaHoSo"] == code


def test_polling_records_what_the_portal_offers_and_acknowledges_it_once_committed(inbound_app, portal):
    first, second = birth_filing(portal, COMMUNE), birth_filing(portal, COMMUNE)
    broken = copy.deepcopy(envelope(portal, first))
    broken["MaBanTin"], broken["DuLieu"]["MaHoSo"] = "nop-broken", "x"
    portal.filings["broken"] = SimFiling(broken)

    with unit_of_work():
        report = poll_once()
    assert (report.offered, report.new, report.duplicates) == (3, 2, 0)
    assert "DuLieu.MaHoSo" in report.refused["nop-broken"]
    assert all(f.acknowledged for f in portal.filings.values())
    assert portal.filings["broken"].refused == report.refused["nop-broken"]
    assert {filing_of(first).transport, filing_of(second).transport} == {"poll"}

    with unit_of_work():
        assert poll_once().offered == 0
    portal.resend(first)  # its acknowledgement was lost: offered again
    with unit_of_work():
        again = poll_once()
    assert (again.new, again.duplicates) == (0, 1) and filing_of(first).duplicates == 1


def test_the_applicant_signing_in_with_vneid_later_finds_the_dossier_in_their_account(inbound_app, portal):
    from app.identity.claims import VerifiedIdentity
    from app.identity.models import PERSON
    from app.identity.services import sign_in_verified

    cccd = new_cccd()
    code = birth_filing(portal, COMMUNE, cccd=cccd, name="Võ Thị Định Danh")
    import_now(receive(portal, code).filing.id)
    owner = filing_of(code).dossier.applicant
    verified = VerifiedIdentity(
        issuer="https://sso.example.vn", subject="vneid-sub-1", kind=PERSON, full_name="Võ Thị Định Danh",
        assurance_level=2, personal_id=cccd,
    )  # fmt: skip
    with unit_of_work():
        signed_in = sign_in_verified(verified)
    assert signed_in.id == owner.id and find_identity(signed_in).subject == "vneid-sub-1"
