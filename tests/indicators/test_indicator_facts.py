"""The facts the indicators count, kept on the dossier in the transaction that changes them:
document flags after every flush touching a document, the rating's answers, processing minutes."""

from __future__ import annotations

from sqlalchemy import select

from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.ratings.models import Rating
from tests.factories import submit
from tests.notifications.support import BIRTH

COMMUNE = "000.21.30.H01"


def _fresh(dossier_id: int) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier_id)


def test_document_flags_follow_the_documents(make_user):
    dossier = submit(make_user("citizen"), BIRTH, COMMUNE)
    dossier = _fresh(dossier.id)
    assert (dossier.has_digitised_inputs, dossier.has_reused_document, dossier.has_result_document) == (
        True,
        False,
        False,
    )
    paper = db.session.scalars(
        select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
    ).first()
    paper.is_digitised = False  # an original kept on paper
    db.session.flush()
    assert dossier.has_digitised_inputs is False  # expired after the flush and read back
    paper.is_current = False  # replaced: only digitised inputs remain current
    db.session.flush()
    assert _fresh(dossier.id).has_digitised_inputs is True
    db.session.rollback()


def test_a_rating_is_copied_to_its_dossier_and_follows_an_edit(dataset):
    d1 = dataset["d1"]
    dossier = _fresh(d1.id)
    assert (dossier.rating_overall, dossier.rating_time, dossier.rating_contacts, dossier.rating_conduct) == (
        5,
        "on_time",
        "once",
        "good",
    )
    rating = db.session.scalar(select(Rating).where(Rating.dossier_id == d1.id))
    rating.overall, rating.time_vs_statutory = 3, "late"  # an edit, as rate_dossier makes it
    db.session.flush()
    assert (dossier.rating_overall, dossier.rating_time) == (3, "late")
    db.session.rollback()


def test_processing_minutes_are_set_at_completion(dataset):
    assert _fresh(dataset["d2"].id).processing_minutes == 600  # 1020 working minutes − 420 paused
    assert _fresh(dataset["d3"].id).processing_minutes is None  # still open
