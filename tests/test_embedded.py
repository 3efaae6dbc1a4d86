"""The embedded default behind `make run`: SQLite, a local attachment folder, in-process jobs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import multipart_for
from tests.web import totp_code

pytestmark = pytest.mark.committed  # another app instance, its own database connections


def test_embedded_default_runs_a_dossier_without_external_services(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import User
    from app.demo.two_eras import CAN_DANG, section, seed_two_eras
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
        seed_two_eras()  # what `flask seed demo` loads before its history: both eras of An Giang
        seed_two_eras()  # idempotent
        db.session.commit()
        client = embedded.test_client()

        def token(username: str) -> dict:
            login = {"username": username, "password": "demo12345"}
            account = db.session.scalar(select(User).where(User.username == username))
            if account.needs_second_factor:  # staff: a code of the documented demo secret
                login["otp"] = totp_code(username)
            body = client.post("/api/v1/auth/token", json=login).json
            return {"Authorization": f"Bearer {body['token']}"}

        birth = get_registry().current("1.001193")  # the two-tier version a province runs today
        assert birth.levels == ("province", "commune")
        created = client.post(
            "/api/v1/dossiers",
            data=multipart_for(birth, section(CAN_DANG, 1)),  # the commune's service centre
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
