"""The migrations create exactly the schema the models declare (no model change without a revision)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

pytestmark = pytest.mark.committed  # another app instance, its own database connections


def test_migrations_match_models(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    fresh = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "REDIS_URL": "",
            "STORAGE_BACKEND": "local",
            "STORAGE_LOCAL_DIR": str(tmp_path / "files"),
        }
    )
    with fresh.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models differ from the migrations; run `flask db migrate`: {diff}"


@pytest.fixture
def scratch_database(database_url):
    """A PostgreSQL database of its own on the suite's server, dropped afterwards."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from tests.conftest import _admin_conninfo

    name = f"dossier_migration_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_conninfo(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_conninfo(database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_old_events_get_the_snapshots_the_engine_takes(app, scratch_database):
    """Events recorded before snapshots existed are replayed by the migration: the facts it writes are
    those the engine writes at the time (a liên thông land dossier: hand-offs, a supplement round
    that pauses and resumes the clock, a new appointment)."""
    import io

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.core.uow import unit_of_work
    from app.demo.seed import seed_demo
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.workflow.documents import Upload
    from app.workflow.submission import supply_documents
    from tests.factories import PDF, act, later_appointment, submit

    keep = ("TESTING", "PASSWORD_HASH_METHOD", "STORAGE_BACKEND", "ORG_PERIODS")
    config = {key: value for key, value in app.config.items() if key in keep or key.startswith("S3_")}
    config |= {"SQLALCHEMY_DATABASE_URI": scratch_database, "REDIS_URL": ""}
    scratch = create_app(config)
    with scratch.app_context():
        upgrade(revision="heads")
        with unit_of_work():
            seed_demo()

        def person(login):  # noqa: ANN001, ANN202
            return db.session.scalar(select(User).where(User.username == login))

        citizen = person("congdan")
        dossier = submit(citizen, "1.012790")
        for name, login, payload in (
            ("accept", "tn.candang", {}),
            ("assign", "ld.candang", {"assignee": "cv.candang"}),
            ("return_for_supplement", "cv.candang", {"items": ["Sơ đồ thửa đất"], "comment": "Thiếu sơ đồ"}),
        ):
            dossier = act(dossier, name, person(login), payload)
        with unit_of_work():
            supply_documents(dossier, citizen, [Upload("trich_do_ban_do", "so-do.pdf", io.BytesIO(PDF))])
        extension = {"comment": "Chờ xác minh", "new_appointment_at": later_appointment(dossier)}
        dossier = act(dossier, "extend", person("ld.candang"), extension)
        dossier = act(dossier, "forward", person("cv.candang"))
        taken = {event.id: event.snapshot for event in dossier.events}
        dossier_id = dossier.id
        db.session.remove()  # its read transaction would block the migration's DDL

        downgrade(revision="5e1d0c7a3b21")
        upgrade(revision="heads")
        db.session.expire_all()
        replayed = {event.id: event.snapshot for event in db.session.get(Dossier, dossier_id).events}
        db.session.remove()
        db.engine.dispose()
    assert replayed.keys() == taken.keys() and len(taken) == 7
    for event_id, snapshot in taken.items():
        assert replayed[event_id] == snapshot, event_id
