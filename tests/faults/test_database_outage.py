"""PostgreSQL unreachable while an officer accepts a dossier: before the request, with the COMMIT on
its way (lost: the server rolls back), and with the COMMIT done but its answer lost. The app reaches
the database through a TCP proxy on loopback that the test cuts, so every connection of the app
really breaks while the suite's own connections go on. The officer gets a 503 with Retry-After;
once the database answers again, sending the same request leaves exactly one acceptance: one event,
one outbox row per handler, and the hash chain still verifies. A submission whose COMMIT went
through but whose answer was lost keeps the documents it stored, and its retry replays it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.outbox.models import OutboxMessage
from tests.factories import submit
from tests.faults.support import TcpProxy
from tests.jobs.support import wait_until

pytestmark = [pytest.mark.committed, pytest.mark.slow]
BIRTH = "1.001193"
COMMUNE = "000.21.30.H01"


@pytest.fixture
def database_proxy(service_env):
    url = make_url(service_env["DATABASE_URL"])
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    yield proxy
    proxy.cut()


@pytest.fixture
def proxied_app(other_app, service_env, database_proxy):
    url = make_url(service_env["DATABASE_URL"]).set(host="127.0.0.1", port=database_proxy.port)
    return other_app(
        SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2, "max_overflow": 2, "pool_pre_ping": True},
    )


def _dossier(code: str) -> Dossier:
    db.session.rollback()
    query = select(Dossier).where(Dossier.code == code).execution_options(populate_existing=True)
    return db.session.scalar(query)


def _call(instance, method: str, path: str, headers: dict, body: dict | None = None):  # noqa: ANN001, ANN202
    """One request to `instance`, in its own app context (the suite's keeps reading directly)."""
    with instance.app_context():
        return getattr(instance.test_client(), method)(path, json=body, headers=headers)


def _count(model, dossier_id: int, *criteria) -> int:  # noqa: ANN001, ANN002
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.dossier_id == dossier_id, *criteria)
    )


@pytest.mark.parametrize("moment", ["before the request", "commit lost", "commit answer lost"])
def test_database_down_during_a_transition_is_a_503_and_the_retry_applies_it_once(
    moment, proxied_app, database_proxy, make_user, auth_headers
):
    dossier = submit(make_user("citizen"), BIRTH, COMMUNE)
    code, version = dossier.code, dossier.version
    headers = auth_headers(make_user("reception", unit=COMMUNE))
    accept = {"name": "accept", "expected_version": version}
    assert _call(proxied_app, "get", f"/api/v1/dossiers/{code}", headers).status_code == 200  # pooled

    if moment == "before the request":
        database_proxy.cut()
    else:
        database_proxy.cut_at_commit(deliver=moment == "commit answer lost")
    failed = _call(proxied_app, "post", f"/api/v1/dossiers/{code}/transitions", headers, accept)

    assert failed.status_code == 503, failed.get_data(as_text=True)
    assert failed.headers["Retry-After"].isdigit()
    assert failed.json["error"]["code"] == "service_unavailable"
    wait_until(lambda: database_proxy.is_cut, 10, "the proxy cut")
    committed = moment == "commit answer lost"  # the server had committed when the line broke
    assert _dossier(code).version == (version + 1 if committed else version)
    assert _count(DossierEvent, dossier.id) == (2 if committed else 1)

    database_proxy.start()  # the database answers again
    retried = _call(proxied_app, "post", f"/api/v1/dossiers/{code}/transitions", headers, accept)
    once_more = _call(proxied_app, "post", f"/api/v1/dossiers/{code}/transitions", headers, accept)

    assert retried.status_code == (409 if committed else 200), retried.json
    assert once_more.status_code == 409  # already applied: never a second time
    accepted = _dossier(code)
    assert accepted.version == version + 1
    assert _count(DossierEvent, dossier.id, DossierEvent.transition == "accept") == 1
    assert _count(DossierEvent, dossier.id) == 2
    transitioned = OutboxMessage.topic == "dossier.transitioned"
    handlers = db.session.scalars(
        select(OutboxMessage.handler).where(OutboxMessage.dossier_id == dossier.id, transitioned)
    ).all()
    assert sorted(handlers) == sorted(set(handlers)) and handlers  # one row per handler
    with proxied_app.app_context():
        verified = proxied_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("OK: 2 events in 1 dossiers"), verified.output


def test_a_submission_whose_commit_answer_is_lost_keeps_its_documents(
    proxied_app, database_proxy, make_user, auth_headers
):
    """The database committed the dossier but the app never heard back: the documents it stored
    must stay (rows name them), and the retry with the same key answers with that dossier."""
    from app.dossiers.models import DossierDocument
    from app.procedures import get_registry
    from tests.factories import multipart_for

    headers = {**auth_headers(make_user("citizen")), "Idempotency-Key": "faults-db-commit-0001"}

    def send():  # noqa: ANN202
        with proxied_app.app_context():
            return proxied_app.test_client().post(
                "/api/v1/dossiers",
                data=multipart_for(get_registry().current(BIRTH)),
                headers=headers,
                content_type="multipart/form-data",
            )

    database_proxy.cut_at_commit(deliver=True)
    failed = send()
    assert failed.status_code == 503, failed.get_data(as_text=True)
    wait_until(lambda: database_proxy.is_cut, 10, "the proxy cut")
    database_proxy.start()

    replayed = send()
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    db.session.rollback()
    keys = db.session.scalars(
        select(DossierDocument.storage_key).join(Dossier).where(Dossier.code == replayed.json["code"])
    ).all()
    assert len(keys) == 3
    with proxied_app.app_context():
        storage = proxied_app.extensions["storage"]
        assert [key for key in keys if not storage.exists(key)] == []  # no document lost
