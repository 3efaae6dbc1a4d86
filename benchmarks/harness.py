"""Plumbing shared by the benchmark scripts: a throw-away environment on real services, timing
statistics, SQL statement counting, peak-RSS reading, a small thread runner, and real gunicorn
servers driven over HTTP by client threads.

The environment follows tests/conftest.py: a fresh database on the PostgreSQL server named by
DATABASE_URL, migrated and seeded with the demo data; its own S3 bucket and rq queue; all of it
dropped again on exit, whether the run passed, failed or was interrupted.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _stdlib_queue() -> None:
    """benchmarks/queue.py shadows the standard library's `queue` for any script run from this
    folder (its folder comes first on sys.path), and threading, SQLAlchemy and rq import `queue`.
    Load the real module once, with this folder off the path; every later import gets it."""
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    try:
        if getattr(sys.modules.get("queue"), "__file__", "").startswith(str(HERE)):
            del sys.modules["queue"]
        import queue  # noqa: F401
    finally:
        sys.path[:] = saved


_stdlib_queue()

import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from queue import Empty, SimpleQueue  # noqa: E402
from typing import Any  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as `python benchmarks/<script>.py` from anywhere

REQUIRED_ENV = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")


def log(message: str) -> None:
    """Progress goes to stderr so that stdout carries only the figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class Timing:
    """Latencies of one benchmark (seconds) and the wall time the whole batch took."""

    label: str
    seconds: list[float]
    wall: float
    rate_unit: str
    unit: str = "ms"

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile: a latency that was actually observed."""
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    def cells(self) -> list[str]:
        scale = {"ms": 1e3, "µs": 1e6}[self.unit]
        figures = [self.quantile(0.5), self.quantile(0.95), max(self.seconds)]
        return [
            self.label,
            str(len(self.seconds)),
            *(f"{v * scale:,.1f} {self.unit}" for v in figures),
            f"{len(self.seconds) / self.wall:,.1f} {self.rate_unit}",
        ]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain aligned text: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


# --- measuring -----------------------------------------------------------------------------------


@contextmanager
def recorded_statements(engine: Any) -> Iterator[list[str]]:
    """Collect every SQL statement the engine sends while the block runs."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status (Linux only)")


def peak_rss_kib() -> int:
    """VmHWM: the highest resident set size this process has had (since the last reset)."""
    return _status_kib("VmHWM")


def reset_peak_rss() -> int:
    """Reset VmHWM to the current RSS and return it, so that a transient peak from before (a scrypt
    password hash takes ~30 MiB, for one) cannot hide a smaller growth measured after."""
    Path("/proc/self/clear_refs").write_text("5")  # Linux >= 4.0: "reset the peak RSS"
    return _status_kib("VmRSS")


def run_concurrently(
    app: Any, items: Sequence[Any], work: Callable[[Any, Any], None], concurrency: int
) -> tuple[list[float], float]:
    """Run ``work(client, item)`` for every item on ``concurrency`` threads, each with its own test
    client. Requests are made with no app context pushed, so each one gets a fresh app context and
    database session, as under a real WSGI server. Returns (latency of each item, wall time)."""
    pending: SimpleQueue = SimpleQueue()
    for item in items:
        pending.put(item)
    latencies: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        client = app.test_client()
        start.wait()
        while not errors:
            try:
                item = pending.get_nowait()
            except Empty:
                return
            began = time.perf_counter()
            try:
                work(client, item)
            except BaseException as exc:  # re-raised in the calling thread below
                errors.append(exc)
                return
            latencies.append(time.perf_counter() - began)

    # Daemon threads, and an interruption (Ctrl-C, SIGTERM) stops them taking new items, so the
    # caller's cleanup runs at once instead of after the remaining requests.
    threads = [threading.Thread(target=worker, name=f"bench-{i}", daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    try:
        for thread in threads:
            thread.join()
    except BaseException as exc:
        errors.append(exc)
        raise
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    return latencies, wall


# --- API helpers ---------------------------------------------------------------------------------


def expect(response: Any, status: int, what: str) -> Any:
    """The JSON body of a response that must have ``status``; anything else stops the run."""
    if response.status_code != status:
        raise RuntimeError(
            f"{what}: HTTP {response.status_code}, expected {status}: {response.get_data(as_text=True)[:500]}"
        )
    return response.get_json()


def procedure(app: Any, code: str) -> Any:
    """The procedure's current version (immutable, so threads may share it)."""
    from app.procedures import get_registry

    with app.app_context():
        return get_registry().current(code, date.today())


def bearer_headers(app: Any, username: str) -> dict[str, str]:
    """Bearer headers for a demo account. The token comes from the auth service, as in the tests:
    signing in (password hashing, throttling) is not what these benchmarks measure."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import issue_token
    from app.core.uow import unit_of_work
    from app.extensions import db

    with app.app_context():
        with unit_of_work():
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                raise RuntimeError(f"demo account {username!r} is missing: did seed_demo change?")
            token, _ = issue_token(user)
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def session_headers(app: Any, username: str, password: str = "demo12345") -> dict[str, str]:  # noqa: S107
    """A Cookie header of a page session of a demo account, signed in through the real sign-in
    pages once (as `tests.web.sign_in` does it), for benchmarks of HTML pages over HTTP."""
    from app.extensions import db
    from tests.web import sign_in

    with app.app_context():
        client = app.test_client()
        response = sign_in(client, username, password)
        cookie = client.get_cookie("session")
        db.session.remove()
    if response.status_code != 302 or cookie is None:
        raise RuntimeError(f"signing in as {username!r} failed: HTTP {response.status_code}")
    return {"Cookie": f"session={cookie.value}"}


def plan_path(node: dict) -> str:
    """An EXPLAIN (FORMAT JSON) plan as one line: node types, index names, rows filtered out."""
    name = node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else "")
    if node.get("Rows Removed by Filter"):
        name += f" ({node['Rows Removed by Filter']:,} rows filtered out)"
    children = node.get("Plans", [])
    return name if not children else name + " > " + " + ".join(plan_path(c) for c in children)


# --- the environment -----------------------------------------------------------------------------


def service_settings() -> dict[str, str]:
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"set {', '.join(missing)} (e.g. `scripts/services.sh start` and source the env "
            "file it prints; see benchmarks/README.md)"
        )
    return {name: os.environ[name] for name in REQUIRED_ENV}


def build_app(settings: dict[str, str], *, pool_size: int) -> Any:
    """The application on the given database, Redis queue and S3 bucket (all in ``settings``)."""
    import logging

    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": settings["DATABASE_URL"],
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_size": pool_size,
                "max_overflow": 10,
                "pool_timeout": 60,
                "pool_pre_ping": True,
            },
            "REDIS_URL": settings["REDIS_URL"],
            "RQ_QUEUE": settings["RQ_QUEUE"],
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT": settings["S3_ENDPOINT"],
            "S3_ACCESS_KEY": settings["S3_ACCESS_KEY"],
            "S3_SECRET_KEY": settings["S3_SECRET_KEY"],
            "S3_BUCKET": settings["S3_BUCKET"],
            "S3_SECURE": os.environ.get("S3_SECURE", "").lower() in {"1", "true", "yes", "on"},
        }
    )
    logging.getLogger().setLevel(logging.WARNING)  # create_app logs at INFO; keep the output to figures
    return app


def _admin_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class BenchEnvironment:
    """``with BenchEnvironment(pool_size) as env:`` gives ``env.app`` on a fresh, migrated and seeded
    database ``bench_<id>``, bucket ``bench-<id>`` and queue ``bench-<id>``; all removed on exit.

    ``database=NAME`` reuses an existing, already migrated and seeded database instead (it is neither
    migrated nor dropped); ``keep_database=True`` leaves the fresh database in place for later runs."""

    def __init__(self, pool_size: int, *, database: str | None = None, keep_database: bool = False) -> None:
        self.run_id = uuid.uuid4().hex[:10]
        self.server = service_settings()
        self.reuse = database is not None
        self.database = database or f"bench_{self.run_id}"
        self.keep_database = keep_database
        self.settings: dict[str, str] = {}
        self.app: Any = None
        self.pool_size = pool_size
        self._created_database = False

    def __enter__(self) -> BenchEnvironment:
        try:
            self._create()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._remove()

    def _create(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        if not self.reuse:
            with psycopg.connect(_admin_conninfo(self.server["DATABASE_URL"]), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            self._created_database = True
        url = make_url(self.server["DATABASE_URL"]).set(database=self.database)
        self.settings = {
            **self.server,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "RQ_QUEUE": f"bench-{self.run_id}",
            "S3_BUCKET": f"bench-{self.run_id}",
        }
        self.app = build_app(self.settings, pool_size=self.pool_size)
        if self.reuse:
            log(f"reusing database {self.database}; bucket and queue bench-{self.run_id}")
            return
        log(f"database {self.database}, bucket and queue bench-{self.run_id}: migrating and seeding")
        with self.app.app_context():
            from flask_migrate import upgrade

            from app.core.uow import unit_of_work
            from app.demo.seed import seed_demo
            from app.extensions import db
            from app.storage import get_storage

            upgrade(revision="heads")  # several heads while parallel branches are being merged
            with unit_of_work():
                seed_demo()
            get_storage().ensure_ready()
            db.session.remove()

    def child_env(self) -> dict[str, str]:
        """Environment for a subprocess that builds its own app on this run's services."""
        return {**os.environ, **self.settings}

    def _remove(self) -> None:
        """Undo everything, each step independently: one failing step must not skip the others."""
        steps = [self._remove_bucket, self._remove_queue, self._dispose_engine, self._drop_database]
        failures = []
        for step in steps:
            try:
                step()
            except Exception as exc:  # reported, and the remaining steps still run
                failures.append(f"{step.__name__}: {exc!r}")
        for failure in failures:
            log(f"cleanup failed: {failure}")
        if not failures:
            kept = self.reuse or self.keep_database
            what = f"kept database {self.database}; removed" if kept else f"removed database {self.database},"
            log(f"{what} bucket and queue bench-{self.run_id}")

    def _remove_bucket(self) -> None:
        if self.app is None:
            return
        from minio.deleteobjects import DeleteObject

        client, bucket = self.app.extensions["storage"].client, self.settings["S3_BUCKET"]
        if not client.bucket_exists(bucket):
            return
        names = [DeleteObject(o.object_name) for o in client.list_objects(bucket, recursive=True)]
        for batch in range(0, len(names), 1000):
            errors = list(client.remove_objects(bucket, names[batch : batch + 1000]))
            if errors:
                raise RuntimeError(f"could not delete {len(errors)} objects, first: {errors[0]}")
        client.remove_bucket(bucket)

    def _remove_queue(self) -> None:
        if self.app is None:
            return
        with self.app.app_context():
            from app.jobs import get_queue

            queue = get_queue()
            queue.empty()
            queue.delete(delete_jobs=True)

    def _dispose_engine(self) -> None:
        if self.app is None:
            return
        with self.app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()

    def _drop_database(self) -> None:
        if not self._created_database or self.keep_database:
            return
        import psycopg

        with psycopg.connect(_admin_conninfo(self.server["DATABASE_URL"]), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (self.database,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}"')


# --- real HTTP servers ---------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    """``with GunicornServer("wsgi:app", env, workers=2) as server:`` runs a real gunicorn on a free
    loopback port (``server.port``) until the block ends; its output goes to ``server.log_path``."""

    def __init__(self, target: str, env: dict[str, str], *, workers: int = 2, chdir: Path = ROOT) -> None:
        import tempfile

        self.target, self.env, self.workers, self.chdir = target, env, workers, chdir
        self.port = free_port()
        self.log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{self.port}.log"
        self.process: Any = None

    def __enter__(self) -> GunicornServer:
        import http.client
        import subprocess

        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
        ]
        command += ["--chdir", str(self.chdir), self.target]
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:  # ready once a worker answers anything
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.target} exited: see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/__ready__")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"gunicorn {self.target} did not answer within 60 s") from None
                time.sleep(0.2)
        log(f"gunicorn {self.target} -w {self.workers} on 127.0.0.1:{self.port} (log {self.log_path})")
        return self

    def __exit__(self, *exc_info: object) -> None:
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_path.unlink(missing_ok=True)


def run_http_concurrently(
    port: int, paths: Sequence[str], headers: dict[str, str], concurrency: int
) -> tuple[list[float], float]:
    """GET every path on 127.0.0.1:port from ``concurrency`` threads, each with its own http.client
    connection (kept alive when the server allows it, reopened otherwise). Any status but 200 stops
    the run. Returns (latency of each request, wall time)."""
    import http.client

    pending: SimpleQueue = SimpleQueue()
    for path in paths:
        pending.put(path)
    latencies: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while not errors:
            try:
                path = pending.get_nowait()
            except Empty:
                break
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except BaseException as exc:  # re-raised in the calling thread below
                errors.append(exc)
                break
            latencies.append(time.perf_counter() - began)
        conn.close()

    threads = [threading.Thread(target=worker, name=f"http-{i}", daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    return latencies, wall
