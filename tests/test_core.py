"""App-wide behaviour: configuration safety, landing page, health, API docs, error shape."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.factories import submit


def test_production_refuses_to_start_without_secrets(monkeypatch):
    from config import load_config

    monkeypatch.setenv("APP_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config()


@pytest.mark.parametrize(("lang", "text"), [("vi", "Đăng ký khai sinh"), ("en", "Birth registration")])
def test_landing_page_lists_procedures_in_both_languages(client, lang, text):
    response = client.get("/", query_string={"lang": lang})
    assert response.status_code == 200 and text in response.get_data(as_text=True)


def test_health_check_reaches_the_database(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_api_docs_use_vendored_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_unknown_api_path_gets_the_json_error_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.json["error"]) == {"code", "message", "details"}


def test_oversized_request_is_413_not_500(app, client, monkeypatch, make_user, auth_headers):
    headers = auth_headers(make_user("citizen"))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post(
        "/api/v1/dossiers",
        data={"procedure_code": "x" * 4096},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"


def _count_queries(action) -> int:
    statements = []

    def record(*_args) -> None:
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_dossier_list_and_detail_have_no_n_plus_one(client, make_user, auth_headers, user):
    citizen = make_user("citizen")
    headers = auth_headers(user("tn.candang"))
    codes = [submit(citizen, "1.001193").code for _ in range(2)]
    few_list = _count_queries(lambda: client.get("/api/v1/dossiers", headers=headers))
    few_detail = _count_queries(lambda: client.get(f"/api/v1/dossiers/{codes[0]}", headers=headers))
    codes += [submit(citizen, "1.001193").code for _ in range(8)]
    many_list = _count_queries(lambda: client.get("/api/v1/dossiers", headers=headers))
    assert many_list == few_list
    assert _count_queries(lambda: client.get(f"/api/v1/dossiers/{codes[-1]}", headers=headers)) == few_detail


def test_error_pages_are_the_sites_own_in_vietnamese(client):
    page = client.get("/khong-co-trang-nay", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "Không tìm thấy trang hoặc tài nguyên này" in html
    assert "Điều hướng chính" in html and "<h1>Không tìm thấy</h1>" in html  # the site's layout
    assert "The requested URL" not in html
    api = client.get("/api/v1/khong-co")
    assert api.status_code == 404 and api.json["error"]["message"].startswith("Không tìm thấy")
