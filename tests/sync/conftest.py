"""Fixtures of the delivery tests: a loopback HTTP receiver, and rq workers of their own on a queue
of their own, started with short backoffs (the worker builds its app from the environment).

While a sync test runs, the test app enqueues on that queue too (RQ_QUEUE is switched), so the
session's general worker never sees these jobs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.sync.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
FAST = {
    "DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
    "DELIVERY_BACKOFF_MAX_SECONDS": "0.8",
    "DELIVERY_TIMEOUT_SECONDS": "2",
    "DELIVERY_LEASE_MARGIN_SECONDS": "1",
    "DELIVERY_SWEEP_SECONDS": "1",
    "DELIVERY_RETRY_HOURS": "72",
    "NATIONAL_PORTAL_TOKEN": "test-bearer-token",
}


@pytest.fixture(scope="session")
def receiver():
    server = Receiver()
    yield server
    server.down()


@pytest.fixture(scope="session")
def sync_env(service_env, receiver):
    return {
        **service_env,
        **FAST,
        "RQ_QUEUE": f"sync-{uuid.uuid4().hex[:8]}",
        "NATIONAL_PORTAL_URL": receiver.url("/national"),
    }


class WorkerPool:
    """rq worker processes built by the app's own entry point, with the sync environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, queue: str | None = None) -> subprocess.Popen:
        env = {**os.environ, **self.env, "APP_ENV": "development"}
        if queue:
            env["RQ_QUEUE"] = queue
        (ROOT / ".pytest_cache").mkdir(exist_ok=True)
        log = open(ROOT / ".pytest_cache" / f"sync-worker-{env['RQ_QUEUE']}-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "app.worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        time.sleep(0.5)
        assert process.poll() is None, f"sync worker exited at start; see {log.name}"
        return process

    def signal_all(self, signum: int) -> None:
        """Signal every running worker and its children (work horse, scheduler)."""
        for process in self.processes:
            if process.poll() is None:
                for pid in [*children(process.pid), process.pid]:
                    os.kill(pid, signum)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="session")
def sync_workers(app, sync_env):
    pool = WorkerPool(sync_env)
    pool.start()
    yield pool
    pool.stop_all()
    with app.app_context():
        _drop_queue_keys(app, sync_env["RQ_QUEUE"])


def _drop_queue_keys(app, queue_name: str) -> None:
    from tests.conftest import drop_queue_keys

    drop_queue_keys(app.extensions["redis"], queue_name)


@pytest.fixture
def sync_app(app, sync_env, sync_workers, receiver):
    """The test app enqueues on the sync queue with the workers' delivery settings; restored after."""
    keys = ["RQ_QUEUE", "NATIONAL_PORTAL_URL", *FAST]
    saved = {key: app.config.get(key) for key in keys}
    app.config.update({key: _typed(key, sync_env[key]) for key in keys})
    if receiver._server is None:
        receiver.up()
    receiver.status = 200
    receiver.hang.clear()
    receiver.hang_path = "/"
    receiver.release.clear()
    receiver.hanging.clear()
    receiver.requests.clear()
    yield app
    receiver.release.set()
    if receiver._server is None:
        receiver.up()
    from app.jobs import get_queue

    get_queue().empty()
    app.config.update(saved)


def _typed(key: str, value: str):  # noqa: ANN202
    return float(value) if key.startswith("DELIVERY_") else value
