"""Representatives: a principal authorises another account (document, scope, expiry); the
representative files and follows the principal's dossiers; every event it records names both, as
does counter intake by staff; without a valid authorisation nobody acts for someone else."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app.audit.verify import verify
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError, UnsupportedMediaError, ValidationError
from app.core.uow import unit_of_work
from app.dossiers.models import DossierEvent
from app.dossiers.queries import DossierFilter, list_dossiers
from app.extensions import db
from app.procedures import get_registry
from app.representation.models import Authorisation
from app.representation.services import Grant, grant_authorisation, revoke_authorisation
from app.workflow.engine import apply_transition, available_transitions
from app.workflow.submission import Submission, submit_dossier
from tests.factories import PDF, RECEIVING_UNIT, act, form_data, uploads_for
from tests.web import csrf_token, signed_in_client

BIRTH, CERTIFIED_COPY = "1.001193", "2.000815"


@pytest.fixture
def parties(make_user):
    principal = make_user("citizen", full_name="Nguyễn Thị Ủy Quyền")
    representative = make_user("citizen", full_name="Phạm Văn Đại Diện")
    return principal, representative


def _grant(principal, representative, *, scope="all", codes=(), days=30, name=None, file=PDF):
    with unit_of_work():
        return grant_authorisation(
            principal,
            Grant(
                representative_personal_id=representative.citizen_id,
                representative_name=name or representative.full_name.upper(),  # names compare folded
                scope=scope,
                procedure_codes=list(codes),
                expires_on=date.today() + timedelta(days=days),
                filename="giay-uy-quyen.pdf",
                stream=io.BytesIO(file),
            ),
        )


def _file_for(representative, principal, code: str = BIRTH):
    procedure = get_registry().current(code, date.today())
    with unit_of_work():
        return submit_dossier(
            representative,
            Submission(
                procedure.code,
                form_data(procedure),
                uploads_for(procedure),
                unit_code=RECEIVING_UNIT[procedure.receiving_level],
                on_behalf_of=principal.id,
            ),
        )


def test_a_representative_files_and_follows_for_the_principal_and_each_event_names_both(parties, user):
    principal, representative = parties
    authorisation = _grant(principal, representative)
    dossier = _file_for(representative, principal)
    assert (dossier.applicant_id, dossier.applicant_name, dossier.created_by_id) == (
        principal.id,
        "Nguyễn Thị Ủy Quyền",
        representative.id,
    )
    filed = dossier.events[0]
    assert (filed.actor_id, filed.represented_id, filed.represented_name, filed.authorisation_id) == (
        representative.id,
        principal.id,
        "Nguyễn Thị Ủy Quyền",
        authorisation.id,
    )
    assert [d.code for d in list_dossiers(representative, DossierFilter())[0]] == [dossier.code]
    act(dossier, "accept", user("tn.candang"))
    assert dossier.events[-1].represented_id is None  # the office acts for itself
    withdrawal = next(t for t in available_transitions(dossier, representative) if t.effects.withdraws)
    with unit_of_work():
        apply_transition(dossier, withdrawal.name, representative, {"comment": "Không cần nữa"})
    assert dossier.events[-1].authorisation_id == authorisation.id
    assert verify(dossier.code).is_ok  # the representation is part of each event's hash


def test_the_history_chain_notices_a_changed_representation(parties):
    principal, representative = parties
    _grant(principal, representative)
    dossier = _file_for(representative, principal)
    db.session.execute(
        update(DossierEvent)
        .where(DossierEvent.id == dossier.events[0].id)
        .values(represented_name="Người khác")
    )
    assert not verify(dossier.code).is_ok


def test_nobody_acts_for_someone_else_without_a_valid_authorisation_covering_the_procedure(parties):
    principal, representative = parties
    with pytest.raises(PermissionDeniedError):
        _file_for(representative, principal)
    narrow = _grant(principal, representative, scope="procedures", codes=[CERTIFIED_COPY])
    with pytest.raises(PermissionDeniedError):
        _file_for(representative, principal)  # a birth registration is not in its scope
    broad = _grant(principal, representative)
    dossier = _file_for(representative, principal)
    with unit_of_work():
        revoke_authorisation(broad)
    db.session.execute(
        update(Authorisation)
        .where(Authorisation.id == narrow.id)
        .values(expires_at=utcnow() - timedelta(days=1))
    )
    assert list_dossiers(representative, DossierFilter())[0] == []  # no longer followed either
    assert not any(t.effects.withdraws for t in available_transitions(dossier, representative))
    with pytest.raises(PermissionDeniedError):
        _file_for(representative, principal)


def test_granting_names_each_problem_and_checks_the_document_like_any_upload(parties):
    principal, representative = parties
    with pytest.raises(ValidationError) as refused:
        _grant(principal, representative, name="Tên Không Khớp", scope="procedures", days=-1)
    assert set(refused.value.details) == {"representative", "procedures", "expires_on"}
    with pytest.raises(UnsupportedMediaError):
        _grant(principal, representative, file=b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as oneself:
        _grant(principal, principal)
    assert "representative" in oneself.value.details


def test_counter_intake_records_the_officer_as_representative_of_the_applicant(user, make_user):
    owner = make_user("citizen", full_name="Võ Văn Chủ Hồ Sơ")
    procedure = get_registry().current(BIRTH, date.today())
    with unit_of_work():
        dossier = submit_dossier(
            user("tn.candang"),
            Submission(
                procedure.code,
                form_data(procedure),
                uploads_for(procedure),
                channel="counter",
                applicant={"name": "Võ Văn Chủ Hồ Sơ", "citizen_id": owner.citizen_id},
            ),
        )
    filed = dossier.events[0]
    assert (filed.actor_id, filed.represented_id, filed.represented_name, filed.authorisation_id) == (
        user("tn.candang").id,
        owner.id,
        "Võ Văn Chủ Hồ Sơ",
        None,
    )


def test_the_officer_workspace_names_both_and_opens_the_authorisation(
    app, parties, user, auth_headers, client
):
    principal, representative = parties
    authorisation = _grant(principal, representative)
    dossier = _file_for(representative, principal)
    api = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(user("tn.candang"))).json
    assert (
        api["events"][0]["actor"],
        api["events"][0]["on_behalf_of"],
        api["events"][0]["authorisation_id"],
    ) == (
        "Phạm Văn Đại Diện",
        "Nguyễn Thị Ủy Quyền",
        authorisation.id,
    )
    officer = signed_in_client(app, "tn.candang")
    page = officer.get(f"/work/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Nguyễn Thị Ủy Quyền" in page and "Phạm Văn Đại Diện thay mặt Nguyễn Thị Ủy Quyền" in page
    assert "Người nộp thay" in page
    document = officer.get(f"/work/dossiers/{dossier.code}/authorisations/{authorisation.id}")
    assert document.status_code in (200, 302)
    other = _grant(principal, representative)  # acted under by no event of this dossier
    assert officer.get(f"/work/dossiers/{dossier.code}/authorisations/{other.id}").status_code == 404


def test_the_authorisation_pages_for_each_side(app, parties, make_user):
    principal, representative = parties
    principal_client = signed_in_client(app, principal.username, "password123")
    token = csrf_token(principal_client, "/my/representatives")
    posted = principal_client.post(
        "/my/representatives",
        data={
            "csrf_token": token,
            "representative_personal_id": representative.citizen_id,
            "representative_name": "Phạm Văn Đại Diện",
            "scope": "procedures",
            "procedures": [BIRTH],
            "expires_on": (date.today() + timedelta(days=10)).isoformat(),
            "document": (io.BytesIO(PDF), "uy-quyen.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    authorisation = db.session.scalars(
        db.select(Authorisation).where(Authorisation.principal_id == principal.id)
    ).one()
    assert authorisation.procedure_codes == [
        BIRTH
    ] and authorisation.valid_through == date.today() + timedelta(days=10)
    empty = principal_client.post("/my/representatives", data={"csrf_token": token})
    assert empty.status_code == 422 and "Cần số định danh cá nhân" in empty.get_data(as_text=True)
    rep_client = signed_in_client(app, representative.username, "password123")
    assert "Nguyễn Thị Ủy Quyền" in rep_client.get("/my/representatives").get_data(as_text=True)
    assert "Nộp cho" in rep_client.get(f"/procedures/{BIRTH}").get_data(as_text=True)
    assert rep_client.get(f"/my/representatives/{authorisation.id}/document").status_code in (200, 302)
    stranger = signed_in_client(app, make_user("citizen").username, "password123")
    assert stranger.get(f"/my/representatives/{authorisation.id}/document").status_code == 404
    revoke = f"/my/representatives/{authorisation.id}/revoke"
    assert (
        rep_client.post(
            revoke, data={"csrf_token": csrf_token(rep_client, "/my/representatives")}
        ).status_code
        == 403
    )
    assert principal_client.post(revoke, data={"csrf_token": token}).status_code == 303
