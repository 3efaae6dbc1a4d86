"""Security headers on every answer: a Content-Security-Policy that allows no inline script, frame,
content-type and referrer options, HSTS in production over HTTPS only; and no template that needs
an inline script or event handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def _policy(response) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in response.headers["Content-Security-Policy"].split(";")]
    return {p[0]: p[1:] for p in parts if p}


@pytest.mark.parametrize(
    "path", ["/", "/login", "/track", "/api/v1/procedures", "/api/docs", "/nothing-here"]
)
def test_every_answer_has_the_security_headers(client, path):
    response = client.get(path)
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["default-src"] and "'unsafe-eval'" not in str(policy)
    assert policy["frame-ancestors"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if path != "/api/docs":
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not in development


def test_previews_may_show_files_from_the_s3_server(app, client):
    policy = _policy(client.get("/"))
    origin = f"http://{app.config['S3_ENDPOINT']}"
    assert origin in policy["img-src"] and origin in policy["frame-src"]
    assert origin not in policy["script-src"]


def test_hsts_in_production_over_https_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})  # through the trusted proxy
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [
            f"{path.name}: <script> without src" for _ in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        ]
        found += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=\s*[\"']", text)]
        found += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert found == []


def test_the_api_documentation_page_loads_its_settings_without_inline_script(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "/static/js/swagger-init.js" in html and 'data-spec-url="/api/openapi.json"' in html
