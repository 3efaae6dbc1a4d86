"""Hostile input gets a clear 4xx, never a 500: integers beyond what the database holds, NUL and lone
surrogates in text, deeply nested JSON, dates in year 1, a 5,000-digit number in a form field; the
database gone answers 503 with Retry-After; a statistics request cannot span decades; redirects stay
on this site; a GET creates nothing; the published error shape and bearer authentication are what
the API really does."""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import func, select

from app.core.web import local_url
from app.extensions import db
from app.portal.models import Draft
from tests.factories import act, multipart_for, submit
from tests.portal.support import csrf, post_form, sign_in, start_draft

BIRTH = "1.001193"


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def citizen_headers(make_user, auth_headers):
    citizen = make_user("citizen")
    return citizen, auth_headers(citizen)


def test_ids_and_cursors_beyond_the_database_integer_are_refused_or_not_found(
    client, make_user, citizen_headers
):
    citizen, headers = citizen_headers
    dossier = submit(citizen, BIRTH)
    for after in ("2147483648", "99999999999999", "1" + "0" * 40):
        answer = client.get(f"/api/v1/dossiers?after={after}", headers=headers)
        assert answer.status_code == 422, (after, answer.status_code)
        assert "after" in answer.json["error"]["details"]
    huge = 2**63
    missing = client.get(f"/api/v1/dossiers/{dossier.code}/documents/{huge}/download", headers=headers)
    assert missing.status_code == 404
    assert client.get(f"/api/v1/procedures/{BIRTH}?version={huge}").status_code == 422
    version = client.post(
        f"/api/v1/dossiers/{dossier.code}/transitions",
        json={"name": "withdraw", "expected_version": 2**40},
        headers=headers,
    )
    assert version.status_code == 422 and "expected_version" in version.json["error"]["details"]


def test_nul_and_lone_surrogates_in_any_text_are_named(client, citizen_headers):
    _, headers = citizen_headers
    answer = client.get("/api/v1/procedures?q=khai%00sinh")
    assert answer.status_code == 422 and answer.json["error"]["details"] == {"q": "Không được chứa ký tự NUL"}
    body = '{"username": "\\ud800abc", "password": "x"}'
    token = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert token.status_code == 422 and "username" in token.json["error"]["details"]
    form = {**multipart_for(__import__("app.procedures", fromlist=["x"]).get_registry().current(BIRTH))}
    data = json.loads(form["data"])
    form["data"] = json.dumps({**data, "child_full_name": "Bé\u0000Na"})
    nul = client.post("/api/v1/dossiers", data=form, headers=headers, content_type="multipart/form-data")
    assert nul.status_code == 422


def test_deep_json_and_huge_integers_in_a_body_are_refused(client, citizen_headers):
    citizen, headers = citizen_headers
    dossier = submit(citizen, BIRTH)
    deep = '{"name": "withdraw", "comment": "x", "extra": ' + _deep(5000) + "}"
    answer = client.post(
        f"/api/v1/dossiers/{dossier.code}/transitions",
        data=deep,
        headers=headers,
        content_type="application/json",
    )
    assert answer.status_code == 422 and "body" in answer.json["error"]["details"]
    from app.procedures import get_registry

    form = multipart_for(get_registry().current(BIRTH))
    form["data"] = '{"child_full_name": ' + _deep(3000) + "}"
    nested = client.post("/api/v1/dossiers", data=form, headers=headers, content_type="multipart/form-data")
    assert nested.status_code == 422 and "data" in nested.json["error"]["details"]
    form = multipart_for(get_registry().current(BIRTH))
    form["data"] = json.dumps({**json.loads(form["data"])})[:-1] + ', "extract_copies": ' + "9" * 5000 + "}"
    digits = client.post("/api/v1/dossiers", data=form, headers=headers, content_type="multipart/form-data")
    assert digits.status_code == 422


def test_a_json_body_that_does_not_parse_is_refused_naming_the_body(client, citizen_headers):
    _, headers = citizen_headers
    for broken in ('{"name": "withdraw",', "not json", '{"rating": 5}}'):
        answer = client.post("/api/v1/auth/token", data=broken, content_type="application/json")
        assert answer.status_code == 422, broken
        assert answer.json["error"]["details"] == {"body": "Phải là JSON hợp lệ"}
    assert (
        client.put(
            "/api/v1/dossiers/X/rating", data="{", headers=headers, content_type="application/json"
        ).json["error"]["code"]
        == "validation_error"
    )


def test_dates_in_year_one_and_decades_long_statistics_are_refused(client, make_user, auth_headers):
    assert client.get("/api/v1/calendar/due-date?start=0001-01-01T08:00:00&working_days=3").status_code == 422
    leader = make_user("leader")
    headers = auth_headers(leader)
    year_one = client.get("/api/v1/stats/trend?from=0001-01-01&to=2026-11-30", headers=headers)
    assert year_one.status_code == 422
    decades = client.get("/api/v1/stats/trend?from=1990-01-01&to=2026-11-30", headers=headers)
    assert decades.status_code == 422 and "from" in decades.json["error"]["details"]
    fine = client.get("/api/v1/stats/trend?from=2026-01-01&to=2026-11-30", headers=headers)
    assert fine.status_code == 200


def test_a_five_thousand_digit_number_in_a_draft_field_is_a_clear_error(client, make_user):
    citizen = make_user("citizen")
    sign_in(client, citizen.username)
    draft_id = start_draft(client)
    answer = post_form(client, draft_id, fields={"extract_copies": "9" * 5000}, files={}, action="save")
    assert answer.status_code == 422
    sixteen = post_form(client, draft_id, fields={"extract_copies": "9" * 17}, files={}, action="continue")
    assert sixteen.status_code in (200, 400, 422) and "Số quá lớn" in sixteen.get_data(as_text=True)


def test_a_get_of_the_apply_link_creates_no_draft(client, make_user):
    citizen = make_user("citizen")
    sign_in(client, citizen.username)

    def drafts() -> int:
        return db.session.scalar(select(func.count()).select_from(Draft).where(Draft.user_id == citizen.id))

    answer = client.get(f"/procedures/{BIRTH}/apply")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/procedures/{BIRTH}")
    assert drafts() == 0
    started = client.post(
        f"/procedures/{BIRTH}/apply", data={"csrf_token": csrf(client, f"/procedures/{BIRTH}")}
    )
    assert started.status_code == 302 and drafts() == 1
    again = client.get(f"/procedures/{BIRTH}/apply")
    assert again.headers["Location"] == started.headers["Location"] and drafts() == 1


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
        "\t//evil.example",
        "javascript:alert(1)",
        "http://localhost/work",
    ],
)
def test_redirects_go_nowhere_but_this_site(target):
    assert local_url(target, "/fallback") == "/fallback"


def test_a_local_redirect_is_kept_and_sign_in_uses_it(client, make_user):
    assert local_url("/my/dossiers?page=2", "/") == "/my/dossiers?page=2"
    citizen = make_user("citizen")
    for target, expected in (("/\\evil.example", "/"), ("/my/dossiers", "/my/dossiers")):
        client.get("/logout")
        token = csrf(client, "/login")
        answer = client.post(
            f"/login?next={target}",
            data={"login": citizen.username, "password": "password123", "csrf_token": token},
        )
        assert answer.status_code == 302
        assert answer.headers["Location"] in (expected, f"http://localhost{expected}"), answer.headers[
            "Location"
        ]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.committed  # an app of its own, on a database that is not there
def test_the_database_gone_answers_503_with_retry_after(service_env):
    from app import create_app

    config = {
        "TESTING": True,
        **{k: v for k, v in service_env.items() if k != "DATABASE_URL"},
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/gone",
    }
    down = create_app({**config, "WTF_CSRF_ENABLED": False})
    client = down.test_client()
    api = client.get("/api/v1/dossiers", headers={"Authorization": "Bearer some-token"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.json["error"]["code"] == "service_unavailable"
    with client.session_transaction() as session:  # a signed-in visitor: the page loads the user
        session["_user_id"] = "1.0"  # account 1, session version 0
    page = client.get("/my/dossiers")
    assert page.status_code == 503 and "Cơ sở dữ liệu tạm thời không phản hồi" in page.get_data(as_text=True)
    token = client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
    assert token.status_code == 503


def test_statistics_statements_run_under_a_timeout_and_a_stopped_one_answers_503(
    client, make_user, auth_headers, app
):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from app.core.errors import database_error_response

    act(submit(make_user("citizen"), BIRTH), "accept", make_user("reception"))
    leader = auth_headers(make_user("leader"))
    answer = client.get("/api/v1/stats/trend?from=2026-01-01&to=2026-11-30", headers=leader)
    assert answer.status_code == 200
    # The request's transaction is the test's (rolled back at its end): its SET LOCAL is still there.
    assert db.session.execute(text("SHOW statement_timeout")).scalar() == "10s"

    with app.test_request_context("/api/v1/stats/trend"):
        db.session.execute(text("SET LOCAL statement_timeout = 50"))
        with pytest.raises(OperationalError) as stopped:
            db.session.execute(text("SELECT pg_sleep(2)"))
        response = database_error_response(stopped.value)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "thu hẹp" in response.get_json()["error"]["message"]


def test_the_openapi_document_declares_the_real_error_shape_and_bearer_tokens(client):
    spec = client.get("/api/openapi.json").json
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["properties"]) == {"code", "message", "details"}
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    listing = spec["paths"]["/api/v1/dossiers"]["get"]
    assert listing["security"] == [{"bearerAuth": []}] and "401" in listing["responses"]
    assert "security" not in spec["paths"]["/api/v1/procedures"]["get"]
    real = client.get("/api/v1/dossiers")  # no token: the body has the declared shape
    assert real.status_code == 401 and set(real.json) == {"error"}
    assert set(real.json["error"]) == {"code", "message", "details"}


def test_a_negative_count_in_a_form_field_is_refused(client, citizen_headers):
    import json as _json

    from app.procedures import get_registry

    _, headers = citizen_headers
    form = multipart_for(get_registry().current(BIRTH))
    form["data"] = _json.dumps({**_json.loads(form["data"]), "extract_copies": -3})
    answer = client.post("/api/v1/dossiers", data=form, headers=headers, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert answer.json["error"]["details"]["data"]["extract_copies"] == "Không được nhỏ hơn 0"
