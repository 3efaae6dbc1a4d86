"""Fixtures of the fault tests: the job-resilience stack (a Redis of its own, workers and the
scheduler of the app's entry points, tests/jobs/conftest.py), and further app instances on the
suite's database whose settings point one service at a part the test can stop."""

from __future__ import annotations

import pytest

from tests.jobs.conftest import processes, redis_server, stack_app, stack_env  # noqa: F401  (fixtures)

APP_KEYS = ("TESTING", "PASSWORD_HASH_METHOD", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS")


@pytest.fixture
def other_app(app, service_env):
    """`other_app(**settings)`: an app like the suite's (same database, Redis queue, mail server)
    with `settings` on top, e.g. an S3 server or a database address of the test's own."""
    from app import create_app
    from app.extensions import db

    made = []

    def make(**settings):  # noqa: ANN202
        config = {key: app.config[key] for key in APP_KEYS}
        config.update({k: v for k, v in service_env.items() if k != "DATABASE_URL"})
        config.update(settings)
        instance = create_app(config)
        instance.test_client_class = app.test_client_class
        made.append(instance)
        return instance

    yield make
    for instance in made:
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def s3_server(tmp_path):
    from tests.faults.support import S3Server

    server = S3Server(tmp_path / "s3")
    server.start()
    yield server
    server.stop()
