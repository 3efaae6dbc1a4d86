"""A stack of its own for each test of job resilience: a Redis server the test can stop and start,
an rq worker and the cron scheduler built by the app's entry points on a queue of their own, with
sweeps every second, and an app instance that enqueues there (same database, S3 and mail server)."""

from __future__ import annotations

import uuid

import pytest

from tests.jobs.support import Processes, RedisServer

FAST = {
    "SWEEP_SECONDS": "1",
    "SWEEP_AFTER_SECONDS": "1",
    "DELIVERY_SWEEP_SECONDS": "1",
    "ALERT_SCAN_MINUTES": "60",
}


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack_env(service_env, redis_server):
    return {**service_env, **FAST, "REDIS_URL": redis_server.url, "RQ_QUEUE": f"stack-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def processes(stack_env):
    pool = Processes(stack_env)
    yield pool
    pool.stop_all()


@pytest.fixture
def stack_app(app, stack_env):
    """An app like the suite's, whose jobs go to the stack's Redis."""
    from app import create_app

    config = {
        key: app.config[key]
        for key in ("TESTING", "PASSWORD_HASH_METHOD", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS")
    }
    config.update({k: v for k, v in stack_env.items() if k != "DATABASE_URL"})
    config.update({"SWEEP_SECONDS": 1, "SWEEP_AFTER_SECONDS": 1})
    instance = create_app(config)
    instance.test_client_class = app.test_client_class
    yield instance
    with instance.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
