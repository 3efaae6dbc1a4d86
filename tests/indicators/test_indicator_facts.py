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
    # a citizen's own uploads are not digitised records (app.workflow.documents.DIGITISED_SOURCES)
    assert (dossier.has_digitised_inputs, dossier.has_reused_document, dossier.has_result_document) == (
        False,
        False,
        False,
    )
    documents = db.session.scalars(
        select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
    ).all()
    for document in documents:
        document.source, document.is_digitised = "counter_scan", True  # scanned at the counter
    db.session.flush()
    assert dossier.has_digitised_inputs is True  # expired after the flush and read back
    paper = documents[0]
    paper.is_digitised = False  # an original kept on paper
    db.session.flush()
    assert dossier.has_digitised_inputs is False
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


def test_only_what_was_digitised_is_recorded_as_digitised(dataset):
    """Scanned at the counter or reused: digitised; a citizen's own upload: not (the meaning is set in
    one place, app.workflow.documents.DIGITISED_SOURCES)."""

    def sources(dossier) -> set[tuple[str, bool]]:
        rows = db.session.scalars(
            select(DossierDocument).where(
                DossierDocument.dossier_id == dossier.id, DossierDocument.is_result.is_(False)
            )
        )
        return {(d.source, d.is_digitised) for d in rows}

    assert sources(dataset["d1"]) == {("citizen_upload", False)}
    assert sources(dataset["d3"]) == {("counter_scan", True)}  # counter intake by the reception officer
    assert ("reused", True) in sources(dataset["d4"]) and ("citizen_upload", False) in sources(dataset["d4"])
    flags = [_fresh(dataset[name].id).has_digitised_inputs for name in ("d1", "d3", "d4")]
    assert flags == [False, True, False]
