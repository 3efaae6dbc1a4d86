"""Shared fixtures: a fresh PostgreSQL database per test session (dropped afterwards), a real rq
worker on Redis, a real S3 server. `make test` starts these services and exports their URLs.

Isolation: the demo org and accounts are seeded once. A test runs inside a transaction that is
rolled back at its end (its units of work commit to savepoints inside it), unless something outside
the test's own connection must see its data: tests marked `worker` (the rq worker process),
`browser` (the live server's threads) or `committed` (threads of their own, other apps) commit for
real, and the tables they can write are emptied afterwards. `worker` and `browser` are set from the
fixtures a test uses; `slow` marks long tests. `make test-fast` leaves out browser, worker and slow.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask import g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SEEDED_TABLES = ("units", "users")  # seeded once; rows a test adds are deleted by id
RUN_ID = uuid.uuid4().hex[:8]
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"  # a test suite signs in thousands of times
WORKER_FIXTURES = {"rq_worker", "sync_workers", "sync_app"}
BROWSER_FIXTURES = {"live_server", "page_factory", "browser"}


def pytest_collection_modifyitems(config, items):
    """Mark tests by the outside parts they use, so `-m` can pick or leave them out."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & WORKER_FIXTURES:
            item.add_marker(pytest.mark.worker)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


def _commits_for_real(item) -> bool:
    return any(item.get_closest_marker(name) for name in ("worker", "browser", "committed"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A test that commits for real starts with its fixtures' data committed, as if each fixture had
    been a request of its own (the worker and the live server read only committed data)."""
    if _commits_for_real(item):
        from app.core.uow import commit

        commit()
    yield


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run the suite with `make test`, which starts PostgreSQL, Redis "
            f"and the S3 server and exports their settings",
            pytrace=False,
        )
    return value


def _admin_conninfo(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url():
    server_url = _require_env("DATABASE_URL")
    name = f"dossier_test_{RUN_ID}"
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    yield url
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # the hook name aiosmtpd calls
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """The mail server of the session: the test app and the rq worker send to it (see service_env)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.host, sink.port = controller.hostname, controller.port
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def service_env(database_url, smtp_server):
    """Environment for the app and its worker: the test database, Redis, a throw-away bucket,
    the loopback SMTP server."""
    return {
        "DATABASE_URL": database_url,
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        "REDIS_URL": _require_env("REDIS_URL"),
        "RQ_QUEUE": f"test-{RUN_ID}",
        "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        # The design card's deployment: three tiers for all time (tests/two_tier covers the
        # two-era structure a province runs today).
        "ORG_PERIODS": "province,district,commune",
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT": _require_env("S3_ENDPOINT"),
        "S3_ACCESS_KEY": _require_env("S3_ACCESS_KEY"),
        "S3_SECRET_KEY": _require_env("S3_SECRET_KEY"),
        "S3_BUCKET": f"test-{RUN_ID}",
    }


@pytest.fixture(scope="session")
def app(service_env):
    from app import create_app

    config = {
        "TESTING": True,
        "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        # Rate limits in Redis, as in production, under keys of this run only (reset for each test).
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"limits-test-{RUN_ID}"},
        "TRUSTED_PROXIES": 1,  # as behind the production reverse proxy
        "SQLALCHEMY_DATABASE_URI": service_env["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_size": 10,
            "max_overflow": 70,
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
        from app.demo.seed import seed_demo
        from app.extensions import db
        from app.storage import get_storage

        upgrade(revision="heads")
        with unit_of_work():
            seed_demo()
        get_storage().ensure_ready()
        db.session.remove()
    yield application
    with application.app_context():
        _empty_bucket(application)
        _empty_queue(application)
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def _empty_bucket(application) -> None:
    storage = application.extensions["storage"]
    client = getattr(storage, "client", None)
    if client is None:
        return
    bucket = application.config["S3_BUCKET"]
    for obj in client.list_objects(bucket, recursive=True):
        client.remove_object(bucket, obj.object_name)
    client.remove_bucket(bucket)


def _empty_queue(application) -> None:
    from app.jobs import QUEUES, get_queue

    for kind in QUEUES:
        queue = get_queue(kind)
        queue.empty()
        queue.delete(delete_jobs=True)
    drop_queue_keys(application.extensions["redis"], application.config["RQ_QUEUE"])


def empty_queues() -> None:
    from app.jobs import QUEUES, get_queue

    for kind in QUEUES:
        get_queue(kind).empty()


def drop_queue_keys(redis, queue_name: str) -> None:
    """Remove every Redis key of a run's own rq queue: rq keeps registries (finished, failed,
    scheduled ...), an intermediate list and job ids (prefixed with the queue name, app.jobs) per
    queue, and lists queues and workers in two global sets."""
    for key in redis.scan_iter(match=f"*{queue_name}*", count=500):
        redis.delete(key)
    for member in redis.smembers("rq:queues"):
        if queue_name in member.decode():
            redis.srem("rq:queues", member)
    for member in redis.smembers("rq:workers"):
        if not redis.exists(member):  # a worker that is gone (its key expired or was removed)
            redis.srem("rq:workers", member)


@pytest.fixture(scope="session")
def _seed_marks(app):
    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit

    with app.app_context():
        return db.session.scalar(select(func.max(User.id))), db.session.scalar(select(func.max(Unit.id)))


@pytest.fixture(autouse=True)
def app_ctx(request, app, _seed_marks):
    """Every test runs inside an app context and leaves only the seeded data behind, with the rate
    limits of the client addresses (Flask-Limiter) starting afresh."""
    from app.extensions import limiter

    with app.app_context():
        limiter.reset()  # this app's counters (each app keeps its own storage)
        if not _commits_for_real(request.node):
            with _rolled_back(app):
                yield
            empty_queues()
            return
        yield
        _forget_commits(_seed_marks)


@pytest.fixture(scope="module")
def committed_module(app, _seed_marks):
    """An app context for data committed for real once per module and shared by its tests (each of
    which still rolls back its own changes); everything committed is removed after the module."""
    with app.app_context():
        yield
        _forget_commits(_seed_marks)


def _forget_commits(seed_marks: tuple[int, int]) -> None:
    """Leave only the seeded data behind, after data was committed for real."""
    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit

    db.session.rollback()
    volatile = [t.name for t in db.metadata.sorted_tables if t.name not in SEEDED_TABLES]
    # Ids keep counting (no RESTART IDENTITY): a job still queued from this test can never act on
    # a row of the next test; the queues themselves are emptied too.
    empty_queues()
    _truncate(volatile)
    db.session.execute(delete(User).where(User.id > seed_marks[0]))
    # The demo accounts as seeded: no spent TOTP step (a later test may sign them in at once again).
    db.session.execute(update(User).values(totp_last_step=None))
    db.session.execute(delete(Unit).where(Unit.id > seed_marks[1]))
    db.session.commit()
    db.session.remove()


class _JoinedSession(FlaskSession):
    """Flask-SQLAlchemy's session bound to the test's connection: its commits release savepoints
    of the test's transaction, which the test rolls back at its end."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@contextmanager
def _rolled_back(app):
    from flask_sqlalchemy.session import _app_ctx_id
    from sqlalchemy.orm import scoped_session, sessionmaker

    from app.extensions import db

    connection = db.engine.connect()
    outer = connection.begin()
    saved = db.session
    db.session = scoped_session(
        sessionmaker(class_=_JoinedSession, db=db, bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = saved
        outer.rollback()
        connection.close()


def _truncate(tables: list[str]) -> None:
    """TRUNCATE takes exclusive locks; the live rq worker may hold row locks on the same tables for a
    moment, and PostgreSQL then picks one side of the deadlock to fail. Retry that, briefly."""
    from sqlalchemy.exc import OperationalError

    from app.extensions import db

    for attempt in range(5):
        try:
            db.session.execute(text("TRUNCATE " + ", ".join(tables) + " CASCADE"))
            return
        except OperationalError:
            db.session.rollback()
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


class RequestScopedClient(FlaskClient):
    """Tests run inside an app context, so every request of a test shares its `g`: drop what
    extensions cache there per request (locale, CSRF token, working calendar, the signed-in user) as
    a new request would."""

    def open(self, *args, **kwargs):
        for name in ("_flask_babel", "csrf_token", "lang", "working_calendar", "_login_user"):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user():
    """A user made through the accounts service, in a unit of work of its own (as an admin page would).
    Staff accounts come with a second factor (a TOTP secret), as if enrolled on an earlier sign-in;
    `second_factor=False` for one that has not enrolled yet."""
    import pyotp

    from app.auth.services import create_user
    from app.core.db import utcnow
    from app.core.uow import unit_of_work

    counter = iter(range(1, 10_000))

    def factory(role: str, unit: str | None = None, **extra):
        n = next(counter)
        defaults = {
            "reception": "000.21.30.H01",
            "specialist": "000.21.30.H01",
            "leader": "000.21.30.H01",
            "supervisor": "000.00.00.H01",
        }
        fields = {
            "username": f"{role}{n}_{uuid.uuid4().hex[:6]}",
            "password": "password123",
            "role": role,
            "full_name": f"Test {role} {n}",
            "unit_code": unit or defaults.get(role),
        }
        if role == "citizen":
            fields["citizen_id"] = extra.pop("citizen_id", f"0891{90 + n % 9:02d}{n:06d}")
        enrolled = extra.pop("second_factor", True)
        fields.update(extra)
        with unit_of_work():
            created = create_user(**fields)
            if enrolled and created.needs_second_factor:  # as if enrolled on an earlier sign-in
                created.totp_secret, created.totp_enabled_at = pyotp.random_base32(), utcnow()
            return created

    return factory


@pytest.fixture
def user(app):
    """A demo account by username."""
    from app.auth.models import User
    from app.extensions import db

    def get(username: str) -> User:
        return db.session.scalar(select(User).where(User.username == username))

    return get


@pytest.fixture
def auth_headers():
    from app.auth.services import issue_token

    def headers(user) -> dict[str, str]:
        from app.core.uow import unit_of_work

        with unit_of_work():
            token, _ = issue_token(user)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
def rq_worker(service_env):
    """A real rq worker process, built by the app's own entry point, on this session's queue."""
    env = {**os.environ, **service_env, "APP_ENV": "development"}
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / f"worker-{RUN_ID}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "app.worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    time.sleep(0.5)
    if process.poll() is not None:
        pytest.fail(f"rq worker exited at start; see {log.name}")
    yield process
    process.terminate()
    process.wait(timeout=20)
    log.close()


# --- Browser tests: real pages in headless Debian Chromium (never a browser downloaded by a test
# tool), driven by Playwright, against the test app served on a loopback port. Screenshots go to
# test-artifacts/. Shared by every folder's browser tests (one Playwright per session).

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(app):
    yield from serve_live(app)


def serve_live(app):
    """The app on a loopback port in a thread of its own, for the browser (yields its base URL)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    previous = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)
    app.config["PUBLIC_BASE_URL"] = previous


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is not installed: run the suite with `make test`, which installs it")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page_factory(browser, live_server):
    contexts = []

    def make(width: int = 1280, height: int = 900, locale: str = "vi-VN"):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            locale=locale,
            accept_downloads=True,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
