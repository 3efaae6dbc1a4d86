"""Rating an answer: the petitioner (signed in, or the browser holding the follow-up key) once it is
answered, changeable for seven days; nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.core.errors import ConflictError, PermissionDeniedError, ValidationError
from app.core.uow import unit_of_work
from app.petitions.services import rate_petition
from tests.petitions.conftest import about_dossier, about_procedure, answered, client_from, filed, signed_in
from tests.web import csrf_token


def _rate(client, code: str, **fields):
    token = csrf_token(
        client, "/petitions/lookup"
    )  # any form of the session's: the caller may see no follow page
    return client.post(f"/petitions/follow/{code}/rating", data={"csrf_token": token, **fields})


def test_the_petitioner_rates_the_answer_and_may_change_it(app, citizen, dossier, user):
    petition = filed(citizen, about_dossier(dossier.code)).petition
    owner = signed_in(app, citizen.username, "password123")
    assert "Đánh giá câu trả lời" not in owner.get(f"/petitions/follow/{petition.code}").get_data(
        as_text=True
    )
    answered(petition, user("cv.candang"))
    assert _rate(owner, petition.code).status_code == 400  # nothing chosen
    assert _rate(owner, petition.code, rating="9").status_code == 400
    assert _rate(owner, petition.code, rating="4", comment="Rõ ràng").status_code == 302
    assert _rate(owner, petition.code, rating="2").status_code == 302
    assert (petition.rating, petition.rating_comment) == (2, None)
    assert "Bạn đã đánh giá 2/5" in owner.get(f"/petitions/follow/{petition.code}").get_data(as_text=True)


def test_no_rating_before_the_answer_nor_by_anyone_else(app, citizen, dossier, make_user):
    petition = filed(citizen, about_dossier(dossier.code)).petition
    with pytest.raises(ConflictError), unit_of_work():
        rate_petition(petition, citizen, 5)
    other = signed_in(app, make_user("citizen").username, "password123")
    assert _rate(other, petition.code, rating="5").status_code == 404
    assert petition.rating is None


def test_the_rating_is_checked_and_locked_after_seven_days(citizen, dossier, user):
    now = utcnow()
    petition = filed(citizen, about_dossier(dossier.code), now=now - timedelta(days=10)).petition
    answered(petition, user("cv.candang"), now=now - timedelta(days=9))
    with pytest.raises(ValidationError) as refused, unit_of_work():
        rate_petition(petition, citizen, 0, "x" * 1001)
    assert set(refused.value.details) == {"rating", "comment"}
    with unit_of_work():
        rate_petition(petition, citizen, 3, now=now - timedelta(days=8))
    with pytest.raises(ConflictError), unit_of_work():
        rate_petition(petition, citizen, 5)
    assert petition.rating == 3


def test_an_anonymous_petitioner_rates_with_the_follow_up_key_only(app, user):
    result = filed(None, about_procedure())
    answered(result.petition, user("tn.tinh"))
    stranger = client_from(app)
    assert _rate(stranger, result.petition.code, rating="5").status_code == 404
    with pytest.raises(PermissionDeniedError), unit_of_work():
        rate_petition(result.petition, None, 5)
    holder = client_from(app)
    url = "/petitions/lookup"
    opened = holder.post(
        url, data={"csrf_token": csrf_token(holder, url), "code": result.petition.code, "key": result.key}
    )
    assert opened.status_code == 302
    assert _rate(holder, result.petition.code, rating="5").status_code == 302
    assert result.petition.rating == 5
