"""The migration seals the events recorded before the chain existed exactly as the engine does."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

pytestmark = pytest.mark.committed  # another app instance, its own database


def test_old_events_are_sealed_as_the_engine_seals_them(tmp_path):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.audit.verify import verify
    from app.auth.models import User
    from app.core.uow import unit_of_work
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.factories import act, submit

    fresh = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "REDIS_URL": "",
            "STORAGE_BACKEND": "local",
            "STORAGE_LOCAL_DIR": str(tmp_path / "files"),
            "ORG_PERIODS": "province,district,commune",  # the demo seed's three-tier units
        }
    )
    with fresh.app_context():
        upgrade(revision="heads")
        with unit_of_work():
            seed_demo()
        citizen = db.session.scalar(select(User).where(User.role == "citizen"))
        dossier = submit(citizen, "1.001193")
        act(dossier, "accept", db.session.scalar(select(User).where(User.username == "tn.candang")))
        sealed = db.session.execute(
            text("SELECT id, seq, prev_hash, hash FROM dossier_events ORDER BY id")
        ).all()
        db.session.remove()
        downgrade(revision="a3d5f7b9c1e2")
        upgrade(revision="heads")
        again = db.session.execute(
            text("SELECT id, seq, prev_hash, hash FROM dossier_events ORDER BY id")
        ).all()
        assert again == sealed and len(sealed) == 2
        assert verify().is_ok
        db.session.remove()
        db.engine.dispose()
