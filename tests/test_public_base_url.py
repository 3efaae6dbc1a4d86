"""The address printed in the QR code of Mẫu 01 and in e-mail links follows the port `make run`
serves on (PORT), unless PUBLIC_BASE_URL says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _configured(**env: str) -> str:
    """Config.PUBLIC_BASE_URL as a fresh process reads it from its environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL", "APP_ENV")}
    done = subprocess.run(
        [sys.executable, "-c", "import config; print(config.load_config().PUBLIC_BASE_URL)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("env", "base"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        (
            {"PORT": "8123", "PUBLIC_BASE_URL": "https://dichvucong.angiang.gov.vn"},
            "https://dichvucong.angiang.gov.vn",
        ),
    ],
)
def test_the_default_address_has_the_port_of_make_run(env, base):
    assert _configured(**env) == base


def test_qr_and_email_links_are_made_from_that_address(app, monkeypatch):
    from app.notifications.messages import dossier_link
    from app.official_forms.content import tracking_url

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:8123")
    code = "000.21.30.H01-261203-0003"
    assert tracking_url(code) == f"http://127.0.0.1:8123/track?code={code}"
    assert dossier_link(code) == f"http://127.0.0.1:8123/my/dossiers/{code}"


def test_make_run_hands_its_port_to_every_command_it_runs():
    done = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    flask_lines = [line for line in done.stdout.splitlines() if "flask --app wsgi" in line]
    assert flask_lines and all("PORT=8123" in line for line in flask_lines)
    assert any("run --host 127.0.0.1 --port 8123" in line for line in flask_lines)
