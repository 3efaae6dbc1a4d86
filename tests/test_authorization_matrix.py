"""Who may call what: every route of the URL map, every method, against every kind of caller, with
the outcome each one must get from the real app. The matrix is data (`MATRIX`, one row per
endpoint); a route without a row fails `test_every_route_has_a_row`, so no route ships without
saying who may use it.

Outcomes: `ok` is allowed (any 2xx or 3xx but a redirect to sign in); `ok/422` (or `ok/400`) is
allowed, the harmless body being refused as invalid only after the caller was let in; `login` is a
page's redirect to /login; `401`, `403`, `404` are refusals (404 where the object is not even
visible to the caller, so its id cannot be probed).

The objects in the paths are real and committed once for the module (`world`); each cell is one
request, rolled back afterwards, so a withdrawal or a deleted draft does not change the next cell.
Pages get a valid CSRF token of the caller's session, the API a bearer token of the caller."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask import g

from app.auth.models import User
from app.core.uow import unit_of_work
from app.extensions import db
from app.procedures import get_registry
from tests.factories import act, multipart_for, submit
from tests.notifications.support import attach_result, walk_to_approved
from tests.web import csrf_token, sign_in

BIRTH = "1.001193"  # đăng ký khai sinh: received, appraised and signed by UBND xã Cần Đăng
HOLDING_UNIT = "000.21.30.H01"  # xã Cần Đăng (huyện Châu Thành)
OTHER_COMMUNE = "000.22.30.H01"  # another commune of huyện Châu Thành
OTHER_DISTRICT = "000.00.31.H01"  # UBND huyện Chợ Mới: a subtree without xã Cần Đăng
PASSWORD = "password123"  # noqa: S105 (test accounts)
DEMO_PASSWORD = "demo12345"  # noqa: S105 (the demo accounts of the seed)
RATING = {"overall": 5, "time_vs_statutory": "on_time", "contacts": "once", "conduct": "good"}

CALLERS = (
    "anonymous",
    "applicant",  # the citizen who submitted the dossiers and owns the draft
    "citizen",  # another citizen
    "reception",  # the staff of xã Cần Đăng, the unit holding the dossiers
    "specialist",
    "leader",
    "other_unit",  # a reception officer of another commune
    "district_sup",  # a supervisor of another district (huyện Chợ Mới)
    "province_sup",  # a supervisor of the province (sees every unit)
    "admin",
)

# Routes no caller needs a row for: Flask's own files of app/static, public by design.
EXCLUDED = {"static"}

# Profiles that many rows share; the columns are CALLERS, in order.
#               anon   appl   citz   recp   spec   lead   othr   dsup   psup   admin
PUBLIC = "      ok     ok     ok     ok     ok     ok     ok     ok     ok     ok"
PUBLIC_FORM = " ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400"
CITIZENS = "    login  ok     ok     403    403    403    403    403    403    403"
APPLICANT = "   login  ok     404    403    403    403    403    403    403    403"
VISIBLE = "     login  ok     404    ok     ok     ok     404    404    ok     ok"
STAFF = "       login  403    403    ok     ok     ok     ok     ok     ok     ok"
STAFF_FORM = "  login  403    403    ok/422 ok/422 ok/422 ok/422 ok/422 ok/422 ok/422"
HOLDERS = "     login  403    403    ok     ok     ok     404    404    ok     ok"
OFFICERS = "    login  403    403    ok     ok     ok     ok     403    403    403"
RECEPTION = "   login  403    403    ok     403    403    ok     403    403    403"
OVERSEERS = "   login  403    403    403    403    ok     403    403    ok     ok"
ADMIN = "       login  403    403    403    403    403    403    403    403    ok"
ADMIN_FORM = "  login  403    403    403    403    403    403    403    403    ok/400"
API_PUBLIC = PUBLIC
API_SIGNED = "  401    ok     ok     ok     ok     ok     ok     ok     ok     ok"
API_VISIBLE = " 401    ok     404    ok     ok     ok     404    404    ok     ok"
API_HOLDERS = " 401    403    404    ok     ok     ok     404    404    ok     ok"
API_OFFICERS = "401    403    403    ok     ok     ok     ok     403    403    403"
API_OVERSEERS = "401   403    403    403    403    ok     403    403    ok     ok"
API_ADMIN = "   401    403    403    403    403    403    403    403    403    ok"


@dataclass(frozen=True)
class Row:
    """One endpoint: its path (placeholders filled from the world), the expected outcome string of
    each method, the harmless body of its writes (form fields for pages, JSON or multipart for the
    API) and why an outcome may be less obvious."""

    path: str
    methods: dict[str, str]
    form: dict = field(default_factory=dict)
    json: dict | None = None
    upload: str = ""  # "submission": a whole birth registration (multipart); "nothing": no file
    note: str = ""


ORDER = "{expected_version}"  # the dossier's version: a refused action answers 403, not "stale"

MATRIX: dict[str, Row] = {
    # --- public pages and documents
    "portal.index": Row("/", {"GET": PUBLIC}),
    "portal.procedures": Row("/procedures", {"GET": PUBLIC}),
    "portal.procedure": Row("/procedures/{procedure}", {"GET": PUBLIC}),
    "core.healthz": Row("/healthz", {"GET": PUBLIC}),
    "auth_pages.login": Row(
        "/login", {"GET": PUBLIC, "POST": PUBLIC_FORM}, {"login": "khong-co", "password": "sai-mat-khau"}
    ),
    "auth_pages.register": Row("/register", {"GET": PUBLIC, "POST": PUBLIC_FORM}),
    "auth_pages.logout": Row("/logout", {"POST": PUBLIC}),
    "my_dossiers.track": Row(
        "/track",
        {"GET": PUBLIC, "POST": PUBLIC_FORM},
        {"code": "{submitted}", "identifier": "089000000000"},
        note="public tracking: a wrong identifier gets the same generic answer",
    ),
    "api-docs.openapi_swagger_ui": Row("/api/docs", {"GET": PUBLIC}),
    "api-docs.openapi_json": Row("/api/openapi.json", {"GET": PUBLIC}),
    # --- the citizen's pages
    "portal.apply": Row("/procedures/{procedure}/apply", {"GET": CITIZENS, "POST": CITIZENS}),
    "drafts.index": Row("/drafts", {"GET": CITIZENS}),
    "drafts.edit": Row("/drafts/{draft}", {"GET": APPLICANT}),
    "drafts.save": Row("/drafts/{draft}", {"POST": APPLICANT}),
    "drafts.delete": Row("/drafts/{draft}/delete", {"POST": APPLICANT}),
    "drafts.review": Row("/drafts/{draft}/review", {"GET": APPLICANT}),
    "drafts.document": Row(
        "/drafts/{draft}/documents/{doc_key}",
        #     anon   appl   citz   recp   spec   lead   othr   dsup   psup   admin
        {"POST": "login ok/422 404 403 403 403 403 403 403 403"},
        note="no file chosen: 422 for the owner",
    ),
    "drafts.remove_document": Row("/drafts/{draft}/documents/{doc_key}/delete", {"POST": APPLICANT}),
    "drafts.submit": Row(
        "/drafts/{draft}/submit",
        {"POST": "login ok/422 404 403 403 403 403 403 403 403"},
        note="the draft is not complete: 422 for the owner",
    ),
    "my_dossiers.index": Row("/my/dossiers", {"GET": CITIZENS}),
    "my_dossiers.detail": Row("/my/dossiers/{submitted}", {"GET": APPLICANT}),
    "my_dossiers.withdraw": Row(
        "/my/dossiers/{submitted}/withdraw",
        {"GET": APPLICANT, "POST": APPLICANT},
        {"reason": "Không cần nữa"},
    ),
    "my_dossiers.supplement": Row(
        "/my/dossiers/{supplement}/supplement",
        {"POST": "login ok/422 404 403 403 403 403 403 403 403"},
        note="no file sent: 422 for the owner",
    ),
    "my_dossiers.result": Row("/my/dossiers/{returned}/result/{result_document}", {"GET": APPLICANT}),
    "my_dossiers.rate": Row(
        "/my/dossiers/{returned}/rating",
        {"POST": "login ok/400 404 403 403 403 403 403 403 403"},
        note="an incomplete rating form: 400 for the owner",
    ),
    "official_forms_pages.download": Row("/dossiers/{accepted}/forms/{form}", {"GET": VISIBLE}),
    # --- the officers' pages
    "workspace.dossier": Row("/work/dossiers/{accepted}", {"GET": HOLDERS}),
    "workspace.act": Row(
        "/work/dossiers/{submitted}/actions/accept",
        {"POST": "login 403 403 ok 403 403 404 404 403 403"},
        {"expected_version": ORDER},
        note="accept is the reception's; other holders see the dossier but may not act",
    ),
    "workspace.document_file": Row("/work/dossiers/{accepted}/documents/{document}", {"GET": HOLDERS}),
    "workspace.preview": Row("/work/dossiers/{accepted}/documents/{document}/preview", {"GET": HOLDERS}),
    "official_forms_pages.issue_mau_05": Row("/work/dossiers/{accepted}/forms/mau-05", {"POST": HOLDERS}),
    "workspace.intake_start": Row("/work/intake", {"GET": RECEPTION}),
    "workspace.intake": Row(
        "/work/intake/{procedure}",
        {"GET": RECEPTION, "POST": "login 403 403 ok/422 403 403 ok/422 403 403 403"},
        note="an empty counter form: 422 for reception officers",
    ),
    "alerts_pages.late": Row(
        "/work/late?unit={unit}",
        {"GET": HOLDERS},
        note="the holding unit's list: its own staff and those above it; elsewhere 404",
    ),
    "queues_pages.index": Row("/work", {"GET": OFFICERS}),
    "queues_pages.queue": Row(
        "/work/queues/reception", {"GET": OFFICERS}, note="an officer reads every queue of their own unit"
    ),
    "official_forms_pages.tracking_books": Row(
        "/work/reports/tracking-book", {"GET": STAFF, "POST": STAFF_FORM}, note="an empty form: 422"
    ),
    "official_forms_pages.tracking_book": Row("/work/reports/tracking-book/{book}", {"GET": HOLDERS}),
    "official_forms_pages.tracking_book_status": Row(
        "/work/reports/tracking-book/{book}/status", {"GET": HOLDERS}
    ),
    "official_forms_pages.tracking_book_download": Row(
        "/work/reports/tracking-book/{book}/download", {"GET": HOLDERS}
    ),
    "reports_pages.index": Row(
        "/reports?unit={unit}",
        {"GET": HOLDERS},
        note="the holding unit's reports: its own staff and those above it; elsewhere 404",
    ),
    "reports_pages.ask": Row(
        "/reports",
        {"POST": "login 403 403 403 403 ok/422 403 ok/422 ok/422 ok/422"},
        note="leaders, supervisors and admins ask for reports; an empty form: 422",
    ),
    "reports_pages.download": Row("/reports/{report}/download", {"GET": HOLDERS}),
    "indicators_pages.dashboard": Row("/stats?unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.charts": Row("/stats/charts.json?unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.dossiers": Row("/stats/dossiers?metric={metric}&unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.export": Row("/stats/export.csv?unit={unit_code}", {"GET": OVERSEERS}),
    # --- the administrators' pages
    "admin_pages.index": Row("/admin/", {"GET": ADMIN}),
    "admin_pages.users": Row("/admin/users", {"GET": ADMIN}),
    "admin_pages.new_user": Row("/admin/users/new", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.edit_user": Row("/admin/users/{user}", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.toggle_user": Row("/admin/users/{user}/active", {"POST": ADMIN}, {"active": "0"}),
    "admin_pages.user_password": Row("/admin/users/{user}/password", {"POST": ADMIN_FORM}),
    "admin_pages.units": Row("/admin/units", {"GET": ADMIN}),
    "admin_pages.new_unit": Row("/admin/units/new", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.edit_unit": Row("/admin/units/{unit}", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.toggle_unit": Row("/admin/units/{unit}/active", {"POST": ADMIN}, {"active": "1"}),
    "admin_pages.calendar_page": Row("/admin/calendar", {"GET": ADMIN}),
    "admin_pages.add_calendar_day": Row("/admin/calendar/days", {"POST": ADMIN_FORM}),
    "admin_pages.remove_calendar_day": Row("/admin/calendar/days/{day}/delete", {"POST": ADMIN}),
    "audit_pages.history": Row("/admin/audit/history", {"GET": ADMIN}),
    "audit_pages.verify_now": Row("/admin/audit/history/verify", {"POST": ADMIN}),
    "audit_pages.accesses": Row("/admin/audit/accesses", {"GET": ADMIN}),
    "sync_pages.overview": Row("/admin/sync", {"GET": ADMIN}),
    "sync_pages.replay_dead": Row("/admin/sync/replay", {"POST": ADMIN}),
    "sync_pages.subscribers": Row("/admin/sync/subscribers", {"GET": ADMIN}),
    "sync_pages.new_subscriber": Row("/admin/sync/subscribers/new", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "sync_pages.edit_subscriber": Row(
        "/admin/sync/subscribers/{subscriber}", {"GET": ADMIN, "POST": ADMIN_FORM}
    ),
    "sync_pages.pause_subscriber": Row(
        "/admin/sync/subscribers/{subscriber}/paused", {"POST": ADMIN}, {"paused": "1"}
    ),
    "sync_pages.new_secret": Row("/admin/sync/subscribers/{subscriber}/secret", {"POST": ADMIN}),
    "sync_pages.remove_subscriber": Row("/admin/sync/subscribers/{subscriber}/delete", {"POST": ADMIN}),
    # --- the API
    "auth.create_token": Row(
        "/api/v1/auth/token", {"POST": API_PUBLIC}, json={"username": "{spare}", "password": PASSWORD}
    ),
    "units.units_index": Row("/api/v1/units", {"GET": API_PUBLIC}),
    "procedures.list_procedures": Row("/api/v1/procedures", {"GET": API_PUBLIC}),
    "procedures.get_procedure": Row("/api/v1/procedures/{procedure}", {"GET": API_PUBLIC}),
    "calendar.DueDate": Row(
        "/api/v1/calendar/due-date?start=2026-12-07T08:00:00%2B07:00&working_days=3", {"GET": API_PUBLIC}
    ),
    "calendar.Days": Row("/api/v1/calendar/days?year=2026", {"GET": API_PUBLIC}),
    "calendar.Day": Row(
        "/api/v1/calendar/days/{day}",
        {"PUT": API_ADMIN, "DELETE": API_ADMIN},
        json={"kind": "day_off", "note": "Nghỉ bù"},
    ),
    "dossiers.index": Row("/api/v1/dossiers", {"GET": API_SIGNED}),
    "dossiers.create_dossier": Row(
        "/api/v1/dossiers",
        {"POST": "401 ok ok ok/422 403 403 403 403 403 403"},
        upload="submission",
        note="citizens, and reception for its own unit; reception must also name the applicant: 422",
    ),
    "dossiers.show": Row("/api/v1/dossiers/{accepted}", {"GET": API_VISIBLE}),
    "dossiers.transitions": Row("/api/v1/dossiers/{submitted}/transitions", {"GET": API_VISIBLE}),
    "dossiers.transition": Row(
        "/api/v1/dossiers/{submitted}/transitions",
        {"POST": "401 403 404 ok 403 403 404 404 403 403"},
        json={"name": "accept", "expected_version": ORDER},
        note="accept is the reception's; other holders see the dossier but may not act",
    ),
    "dossiers.upload_documents": Row(
        "/api/v1/dossiers/{supplement}/documents",
        {"POST": "401 ok/422 404 ok/422 ok/422 ok/422 404 404 403 403"},
        upload="nothing",
        note="asked to supplement: the owner and the holding unit's staff; no file sent: 422",
    ),
    "dossiers.download": Row(
        "/api/v1/dossiers/{accepted}/documents/{document}/download", {"GET": API_VISIBLE}
    ),
    "official_forms.index": Row("/api/v1/dossiers/{accepted}/forms", {"GET": API_VISIBLE}),
    "official_forms.download": Row("/api/v1/dossiers/{accepted}/forms/{form}/download", {"GET": API_VISIBLE}),
    "official_forms.issue_mau_05": Row("/api/v1/dossiers/{accepted}/forms/mau-05", {"POST": API_HOLDERS}),
    "ratings.show": Row("/api/v1/dossiers/{returned}/rating", {"GET": API_VISIBLE}),
    "ratings.put": Row(
        "/api/v1/dossiers/{returned}/rating",
        {"PUT": "401 ok 404 403 403 403 404 404 403 403"},
        json={**RATING, "overall": 4},
    ),
    "queues.queue": Row("/api/v1/queues/reception", {"GET": API_OFFICERS}),
    "indicators.indicators": Row("/api/v1/stats/indicators?unit={unit_code}", {"GET": API_OVERSEERS}),
    "indicators.by_unit": Row("/api/v1/stats/by-unit?unit={unit_code}", {"GET": API_OVERSEERS}),
    "indicators.by_procedure": Row("/api/v1/stats/by-procedure?unit={unit_code}", {"GET": API_OVERSEERS}),
    "indicators.trend": Row("/api/v1/stats/trend?unit={unit_code}", {"GET": API_OVERSEERS}),
    "indicators.dossiers": Row(
        "/api/v1/stats/dossiers?metric={metric}&unit={unit_code}", {"GET": API_OVERSEERS}
    ),
}


# --- the world: callers and the objects the paths name, committed once for the module


@dataclass
class Caller:
    name: str
    session_cookie: str | None = None
    csrf: str = ""
    token: str | None = None


def _account(username: str, role: str, unit: str | None = None, **extra) -> User:
    from app.auth.services import create_user

    with unit_of_work():
        return create_user(
            username=username,
            password=PASSWORD,
            role=role,
            full_name=f"Kiểm thử {username}",
            unit_code=unit,
            **extra,
        )


def _demo(username: str) -> User:
    from sqlalchemy import select

    return db.session.scalar(select(User).where(User.username == username))


def _dossiers(applicant: User, app) -> dict:
    """One birth registration per state the rows need, all with xã Cần Đăng."""
    from app.official_forms.queries import list_forms
    from app.ratings.services import rate_dossier

    staff = {name: _demo(f"{name}.candang") for name in ("tn", "cv", "ld")}
    submitted = submit(applicant, BIRTH)
    with pytest.MonkeyPatch.context() as jobs_here:  # Mẫu 01 rendered now, in this process
        jobs_here.delitem(app.extensions, "redis")
        accepted = act(submit(applicant, BIRTH), "accept", staff["tn"])
    supplement = act(submit(applicant, BIRTH), "accept", staff["tn"])
    act(supplement, "assign", staff["ld"], {"assignee": "cv.candang"})
    act(supplement, "return_for_supplement", staff["cv"], {"items": ["Giấy chứng sinh"], "comment": "Bị mờ"})
    returned = walk_to_approved(submit(applicant, BIRTH), _demo)
    attach_result(returned, staff["tn"])
    act(returned, "complete", staff["tn"])
    act(returned, "deliver", staff["tn"], {"return_method": "electronic"})
    with unit_of_work():
        rate_dossier(returned, applicant, RATING)
    form = next(f for f in list_forms(accepted.id) if f.is_ready)
    return {
        "submitted": submitted.code,
        "expected_version": str(submitted.version),
        "accepted": accepted.code,
        "document": next(d.id for d in accepted.documents if not d.is_result),
        "form": form.id,
        "supplement": supplement.code,
        "returned": returned.code,
        "result_document": next(d.id for d in returned.documents if d.is_result),
    }


def _objects(applicant: User, spare: User) -> dict:
    """The draft, tracking book, monthly report, webhook subscriber ... the other rows name."""
    from app.calendar.services import set_day
    from app.official_forms.tracking import request_tracking_book
    from app.portal.queries import current_procedure
    from app.portal.services import start_draft
    from app.reports.services import previous_month, request_report
    from app.sync.subscribers import create_subscriber

    leader = _demo("ld.candang")
    with unit_of_work():
        set_day(date(2026, 12, 31), "day_off", "Nghỉ bù", user_id=_demo("admin").id)
        draft = start_draft(applicant, current_procedure(BIRTH))
        book = request_tracking_book(leader, leader.unit_id, date(2026, 1, 1), date(2026, 1, 31))
        report, _ = request_report(leader, leader.unit_id, previous_month())
        subscriber, _ = create_subscriber(
            "Cổng kiểm thử", "https://hooks.example.vn/dossiers", ["dossier.submitted"]
        )
    return {
        "procedure": BIRTH,
        "doc_key": "giay_chung_sinh",
        "draft": draft.id,
        "book": book.id,
        "report": report.id,
        "subscriber": subscriber.id,
        "unit": leader.unit_id,
        "unit_code": HOLDING_UNIT,
        "user": spare.id,
        "spare": spare.username,
        "day": "2026-12-31",
        "metric": "received",
    }


def _signed_in(app, caller: Caller, login: str | None, password: str) -> Caller:
    from app.auth.services import issue_token

    client = app.test_client()
    if login is not None:
        assert sign_in(client, login, password).status_code == 302, login
        with unit_of_work():
            caller.token, _ = issue_token(_demo(login))
    caller.csrf = csrf_token(client, "/login")
    caller.session_cookie = client.get_cookie("session").value
    return caller


@pytest.fixture(scope="module")
def world(app, committed_module) -> tuple[dict, dict[str, Caller]]:
    applicant = _account("authz-applicant", "citizen", citizen_id="089191000101", phone="0912000101")
    _account("authz-citizen", "citizen", citizen_id="089192000102", phone="0912000102")
    _account("authz-other-unit", "reception", OTHER_COMMUNE)
    _account("authz-district-sup", "supervisor", OTHER_DISTRICT)
    spare = _account("authz-spare", "specialist", HOLDING_UNIT)
    values = {**_dossiers(applicant, app), **_objects(applicant, spare)}
    logins = {
        "anonymous": (None, ""),
        "applicant": ("authz-applicant", PASSWORD),
        "citizen": ("authz-citizen", PASSWORD),
        "reception": ("tn.candang", DEMO_PASSWORD),
        "specialist": ("cv.candang", DEMO_PASSWORD),
        "leader": ("ld.candang", DEMO_PASSWORD),
        "other_unit": ("authz-other-unit", PASSWORD),
        "district_sup": ("authz-district-sup", PASSWORD),
        "province_sup": ("giamsat.tinh", DEMO_PASSWORD),
        "admin": ("admin", DEMO_PASSWORD),
    }
    callers = {name: _signed_in(app, Caller(name), *logins[name]) for name in CALLERS}
    db.session.remove()
    return values, callers


# --- one cell: one request by one caller, undone afterwards


@contextmanager
def _undone():
    """The cell's writes are rolled back when it ends (a savepoint of the test's transaction)."""
    db.session.close()
    savepoint = db.session.bind.begin_nested()
    try:
        yield
    finally:
        db.session.close()
        savepoint.rollback()


def _request(app, row: Row, method: str, caller: Caller, values: dict):
    path = row.path.format(**values)
    client = app.test_client()
    g.pop("_login_user", None)  # Flask-Login caches the caller in `g`, which the test's requests share
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        kwargs: dict = {"headers": headers}
        if row.upload:
            procedure = get_registry().current(BIRTH, date.today())
            kwargs["data"] = multipart_for(procedure, HOLDING_UNIT) if row.upload == "submission" else {}
            kwargs["content_type"] = "multipart/form-data"
        elif row.json is not None and method in ("POST", "PUT"):
            kwargs["json"] = {k: _fill(v, values) for k, v in row.json.items()}
        return client.open(path, method=method, **kwargs)
    client.set_cookie("session", caller.session_cookie)
    if method == "GET":
        return client.get(path)
    data = {"csrf_token": caller.csrf, **{k: _fill(v, values) for k, v in row.form.items()}}
    return client.open(path, method=method, data=data)


def _fill(value, values: dict):
    if isinstance(value, str) and "{" in value:
        filled = value.format(**values)
        return int(filled) if value == ORDER else filled
    return value


def _outcome(response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        return "login" if urlsplit(response.headers.get("Location", "")).path == "/login" else "ok"
    return "ok" if status < 400 else str(status)


def _accepts(expected: str, response) -> bool:
    outcome = _outcome(response)
    allowed = expected.split("/")
    return outcome in allowed or (allowed[0] == "ok" and str(response.status_code) in allowed[1:])


def _expectations(profile: str) -> dict[str, str]:
    tokens = profile.split()
    assert len(tokens) == len(CALLERS), f"{len(tokens)} outcomes for {len(CALLERS)} callers: {profile!r}"
    return dict(zip(CALLERS, tokens, strict=True))


def test_every_route_has_a_row(app):
    """A new route cannot ship without saying who may call it; a removed one leaves no stale row."""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    routes = {(e, m) for e, m in routes if m not in ("HEAD", "OPTIONS") and e not in EXCLUDED}
    declared = {(endpoint, method) for endpoint, row in MATRIX.items() for method in row.methods}
    missing = sorted(f"{endpoint} {method}" for endpoint, method in routes - declared)
    stale = sorted(f"{endpoint} {method}" for endpoint, method in declared - routes)
    assert not missing, f"routes with no row in MATRIX (say who may call them): {missing}"
    assert not stale, f"rows of MATRIX for routes that do not exist: {stale}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_caller_as_declared(app, world, endpoint):
    values, callers = world
    row = MATRIX[endpoint]
    wrong = []
    for method, profile in row.methods.items():
        for name, expected in _expectations(profile).items():
            with _undone():
                response = _request(app, row, method, callers[name], values)
            if not _accepts(expected, response):
                got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
                wrong.append(f"{method} as {name}: expected {expected}, got {got}")
    assert not wrong, f"{endpoint} ({row.path}): " + "; ".join(wrong)
