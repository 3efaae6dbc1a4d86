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
