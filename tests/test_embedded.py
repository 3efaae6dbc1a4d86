"""The embedded default behind `make run`: SQLite, a local attachment folder, in-process jobs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import multipart_for

pytestmark = pytest.mark.committed  # another app instance, its own database connections


def test_embedded_default_runs_a_dossier_without_external_services(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.outbox.models import OutboxMessage
    from app.procedures import get_registry

    embedded = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "REDIS_URL": "",
            "STORAGE_BACKEND": "local",
            "STORAGE_LOCAL_DIR": str(tmp_path / "attachments"),
        }
    )
    assert "redis" not in embedded.extensions
    with embedded.app_context():
        upgrade(revision="heads")
        seed_demo()
        seed_demo()  # idempotent
        client = embedded.test_client()

        def token(username: str) -> dict:
            body = client.post(
                "/api/v1/auth/token", json={"username": username, "password": "demo12345"}
            ).json
            return {"Authorization": f"Bearer {body['token']}"}

        birth = next(p for p in get_registry().all() if p.source_file.endswith("birth_registration.yaml"))
        created = client.post(
            "/api/v1/dossiers",
            data=multipart_for(birth),
            headers=token("congdan"),
            content_type="multipart/form-data",
        )
        assert created.status_code == 201, created.json
        code = created.json["code"]
        stored = list((tmp_path / "attachments").rglob("*"))
        assert any(p.is_file() for p in stored)
        accepted = client.post(
            f"/api/v1/dossiers/{code}/transitions", headers=token("tn.candang"), json={"name": "accept"}
        )
        assert accepted.status_code == 200 and accepted.json["national_status"] == 2
        document = created.json["documents"][0]
        download = client.get(
            f"/api/v1/dossiers/{code}/documents/{document['id']}/download", headers=token("congdan")
        )
        assert download.status_code == 200 and download.data.startswith((b"%PDF", b"\x89PNG"))
        pending = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.processed_at.is_(None))
        )
        assert pending == 0  # jobs ran in-process after each commit
        db.session.remove()
        db.engine.dispose()
