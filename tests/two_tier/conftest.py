"""The two-era world: a deployment whose structure changes on 1 July 2025 (ORG_PERIODS
"province,district,commune;2025-07-01:province,commune", the default of a real province), with the
demo units of both eras (app/demo/two_eras.py) and their accounts, in a PostgreSQL database of its
own on the session's server, a bucket and an rq queue of its own.

Inside tests/two_tier the usual fixtures mean this world: `app` (also `two_era_app`), `client`,
`user`, `make_user` (staff default to xã Cần Đăng's new units), `database_url`, `service_env`,
and through them `live_server`, `page_factory` and `rq_worker`; `signed_in` gives a page client
signed in as a demo account (tests.web.signed_in_client). Codes and names: tests/two_tier/world.py.
Isolation is the suite's: a test rolls back unless marked `committed` (or uses the worker or the
browser), and then everything but the seeded units, successions, service areas and accounts is
removed after it. The seed has no dossier history (that is `flask seed demo`'s), so the fixture
costs seconds.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url

from tests.conftest import (
    CHEAP_PASSWORD_HASH,
    RUN_ID,
    RequestScopedClient,
    _admin_conninfo,
    _commits_for_real,
    _empty_bucket,
    _empty_queue,
    _require_env,
    _rolled_back,
    _truncate,
    empty_queues,
)
from tests.two_tier.world import CAN_DANG, CAN_DANG_CENTRE, PROVINCE, TWO_ERAS

SEEDED_TABLES = ("units", "users", "unit_successions", "unit_service_areas")
STAFF_UNITS = {
    "reception": CAN_DANG_CENTRE,
    "specialist": CAN_DANG,
    "leader": CAN_DANG,
    "supervisor": PROVINCE,
}


@pytest.fixture(scope="session")
def database_url():
    """A database of its own on the session's PostgreSQL server, dropped at the end."""
    server_url = _require_env("DATABASE_URL")
    name = f"dossier_two_era_{RUN_ID}"
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def service_env(database_url, smtp_server):
    """The suite's services with the two-era structure, and a queue, bucket and rate-limit keys of its own."""
    return {
        "DATABASE_URL": database_url,
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        "REDIS_URL": _require_env("REDIS_URL"),
        "RQ_QUEUE": f"test-{RUN_ID}-two-era",
        "RATELIMIT_KEY_PREFIX": f"test-{RUN_ID}-two-era",
        "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        "ORG_PERIODS": TWO_ERAS,
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT": _require_env("S3_ENDPOINT"),
        "S3_ACCESS_KEY": _require_env("S3_ACCESS_KEY"),
        "S3_SECRET_KEY": _require_env("S3_SECRET_KEY"),
        "S3_BUCKET": f"test-{RUN_ID}-two-era",
    }


@pytest.fixture(scope="session")
def two_era_app(service_env):
    """The app of the two-era world: migrated (upgrade heads), both eras' units and accounts seeded."""
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": service_env["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_size": 5,
            "max_overflow": 30,
            "pool_timeout": 120,
            "pool_pre_ping": True,
        },
        **{k: v for k, v in service_env.items() if k != "DATABASE_URL"},
    }
    application = create_app(config)
    application.test_client_class = RequestScopedClient
    with application.app_context():
        from flask_migrate import upgrade

        from app.core.uow import unit_of_work
        from app.demo.two_eras import seed_two_eras
        from app.extensions import db
        from app.storage import get_storage

        upgrade(revision="heads")
        with unit_of_work():
            seed_two_eras()
        get_storage().ensure_ready()
        db.session.remove()
    yield application
    with application.app_context():
        from app.extensions import db

        _empty_bucket(application)
        _empty_queue(application)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(two_era_app):
    return two_era_app


@pytest.fixture(scope="session")
def _seed_marks(two_era_app):
    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit

    with two_era_app.app_context():
        return db.session.scalar(select(func.max(User.id))), db.session.scalar(select(func.max(Unit.id)))


@pytest.fixture(autouse=True)
def app_ctx(request, two_era_app, _seed_marks):
    """Each test in the two-era app's context; rolled back, or (committing for real) cleaned after."""
    from app.extensions import limiter

    with two_era_app.app_context():
        limiter.reset()
        if not _commits_for_real(request.node):
            with _rolled_back(two_era_app):
                yield
            empty_queues()
            return
        yield
        _forget_commits(_seed_marks)


@pytest.fixture(scope="module")
def committed_module(two_era_app, _seed_marks):
    with two_era_app.app_context():
        yield
        _forget_commits(_seed_marks)


def _forget_commits(seed_marks: tuple[int, int]) -> None:
    """Leave only the seeded world behind: its units with their successions and service areas, and
    its accounts (with no spent TOTP step)."""
    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit, UnitServiceArea, UnitSuccession

    db.session.rollback()
    empty_queues()
    _truncate([t.name for t in db.metadata.sorted_tables if t.name not in SEEDED_TABLES])
    max_user, max_unit = seed_marks
    added = select(Unit.id).where(Unit.id > max_unit)
    db.session.execute(
        delete(UnitSuccession).where(
            UnitSuccession.predecessor_id.in_(added) | UnitSuccession.successor_id.in_(added)
        )
    )
    db.session.execute(
        delete(UnitServiceArea).where(
            UnitServiceArea.provider_id.in_(added) | UnitServiceArea.area_id.in_(added)
        )
    )
    db.session.execute(delete(User).where(User.id > max_user))
    db.session.execute(update(User).values(totp_last_step=None))
    db.session.execute(delete(Unit).where(Unit.id > max_unit))
    db.session.commit()
    db.session.remove()


@pytest.fixture
def client(two_era_app):
    return two_era_app.test_client()


@pytest.fixture
def two_era_client(client):
    return client


@pytest.fixture
def user(two_era_app):
    """A demo account of the two-era world by username."""
    from app.auth.models import User
    from app.extensions import db

    def get(username: str) -> User:
        found = db.session.scalar(select(User).where(User.username == username))
        assert found is not None, f"no demo account {username!r} in the two-era seed"
        return found

    return get


@pytest.fixture
def make_user(make_user):
    """The suite's account factory; staff without a unit go to xã Cần Đăng's new units."""

    def factory(role: str, unit: str | None = None, **extra):
        return make_user(role, unit or STAFF_UNITS.get(role), **extra)

    return factory


@pytest.fixture
def signed_in(two_era_app):
    """signed_in("tn.rachgia") -> a page client of its own, signed in as that demo account."""
    from tests.web import signed_in_client

    return lambda login, password="demo12345": signed_in_client(two_era_app, login, password)  # noqa: S106


@pytest.fixture(scope="session")
def live_server(two_era_app):
    """The two-era app served for the browser: a server of its own (the suite's `live_server` serves
    the three-tier app, and a session fixture is made once per definition)."""
    from tests.conftest import serve_live

    yield from serve_live(two_era_app)
