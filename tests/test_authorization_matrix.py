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
# The land dossier held by the district land registry: xã Cần Đăng's staff see it but do not hold it.
REGISTRY_ONLY = "login 403 403 403 403 403 404 404 403 403"
TO_SIGN_IN = "   login  login  login  login  login  login  login  login  login  login"
SIGNED_IN = "    login  ok     ok     ok     ok     ok     ok     ok     ok     ok"
SIGNED_IN_FORM = "login ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400"
SIGNED_STAFF = " login  404    404    ok     ok     ok     ok     ok     ok     ok"
SIGNED_STAFF_FORM = "login 404  404    ok/400 ok/400 ok/400 ok/400 ok/400 ok/400 ok/400"
API_SIGNED = "  401    ok     ok     ok     ok     ok     ok     ok     ok     ok"
API_VISIBLE = " 401    ok     404    ok     ok     ok     404    404    ok     ok"
API_HOLDERS = " 401    403    404    ok     ok     ok     404    404    ok     ok"
API_OFFICERS = "401    403    403    ok     ok     ok     ok     403    403    403"
API_STAFF = "   401    403    403    ok     ok     ok     ok     ok     ok     ok"
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
    "auth_pages.second_factor": Row(
        "/login/second-factor",
        {"GET": TO_SIGN_IN, "POST": TO_SIGN_IN},
        {"code": "123456"},
        note="without a pending sign-in (a right password just before) it leads back to /login",
    ),
    "auth_pages.second_factor_setup": Row(
        "/account/second-factor",
        {"GET": SIGNED_STAFF, "POST": SIGNED_STAFF_FORM},
        {"code": "12"},
        note="staff: enrolment, or new recovery codes against a current code; citizens have none",
    ),
    "auth_pages.change_password": Row(
        "/account/password",
        {"GET": SIGNED_IN, "POST": SIGNED_IN_FORM},
        {"current": "sai-mat-khau", "password": "moi-12345", "confirm": "moi-12345"},
        note="the wrong current password: refused after the caller was let in",
    ),
    "auth_pages.forgot_password": Row(
        "/password/forgot",
        {"GET": PUBLIC, "POST": PUBLIC},
        {"login": "ai-do"},
        note="the same answer for anyone",
    ),
    "auth_pages.reset_password": Row(
        "/password/reset/1-" + "0" * 64,
        {"GET": PUBLIC_FORM, "POST": PUBLIC_FORM},
        note="a link that works for no one: the page says the link no longer works",
    ),
    "auth_pages.confirm_signup": Row(
        "/register/confirm/1-" + "0" * 64,
        {"GET": PUBLIC_FORM, "POST": PUBLIC_FORM},
        note="a link that works for no one: the page says the link no longer works",
    ),
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
    # --- electronic identification and representatives (the applicant authorised a third account)
    "identity.start": Row(
        "/login/vneid",
        {"GET": "404 404 404 404 404 404 404 404 404 404"},
        note="no identity provider is configured for this module: a page says so (tests/identity sign in)",
    ),
    "identity.callback": Row(
        "/login/vneid/callback?state=none&code=none",
        {"GET": "404 404 404 404 404 404 404 404 404 404"},
        note="no identity provider configured: a page says so",
    ),
    "representation.index": Row("/my/representatives", {"GET": CITIZENS}),
    "representation.grant": Row(
        "/my/representatives",
        {"POST": "login ok/422 ok/422 403 403 403 403 403 403 403"},
        note="citizens and organisations authorise; an empty form: 422",
    ),
    "representation.revoke": Row(
        "/my/representatives/{authorisation}/revoke",
        #        anon   appl   citz   recp   spec   lead   othr   dsup   psup   admin
        {"POST": "login ok     404    404    404    404    404    404    404    404"},
        note="the principal only; nobody else may even see it",
    ),
    "representation.document": Row(
        "/my/representatives/{authorisation}/document",
        {"GET": "login ok 404 404 404 404 404 404 404 404"},
        note="the principal and the representative (a third account here); staff open it from a dossier",
    ),
    "workspace.authorisation_document": Row(
        "/work/dossiers/{represented}/authorisations/{authorisation}", {"GET": HOLDERS}
    ),
    # --- feedback and petitions: public answers, filing (visitors and citizens), the petitioner's view
    "petitions.public_list": Row("/petitions", {"GET": PUBLIC}),
    "petitions.public_detail": Row("/petitions/{petition_answered}", {"GET": PUBLIC}),
    "petitions.new": Row(
        "/petitions/new",
        #     anon   appl   citz   recp   spec   lead   othr   dsup   psup   admin
        {
            "GET": "ok ok ok 403 403 403 403 403 403 403",
            "POST": "ok/400 ok/400 ok/400 403 403 403 403 403 403 403",
        },
        note="visitors (anonymously) and citizens file; staff accounts do not; an empty form: 400",
    ),
    "petitions.lookup": Row(
        "/petitions/lookup",
        {"GET": PUBLIC, "POST": PUBLIC_FORM},
        {"code": "{petition_open}", "key": "AAAA-BBBB-CCCC"},
        note="a wrong follow-up key gets the generic answer",
    ),
    "petitions.follow": Row(
        "/petitions/follow/{petition_answered}",
        {"GET": "login ok 404 404 404 404 404 404 404 404"},
        note="the petitioner only (or a browser holding the follow-up key of an anonymous one)",
    ),
    "petitions.rate": Row(
        "/petitions/follow/{petition_answered}/rating",
        {"POST": "login ok/400 404 404 404 404 404 404 404 404"},
        note="an empty rating form: 400 for the petitioner",
    ),
    "petitions.mine": Row("/my/petitions", {"GET": CITIZENS}),
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
    "petitions_work.queue": Row("/work/petitions", {"GET": OFFICERS}, note="an officer reads their unit's"),
    "petitions_work.detail": Row("/work/petitions/{petition_open_id}", {"GET": HOLDERS}),
    "petitions_work.answer": Row(
        "/work/petitions/{petition_open_id}/answer",
        {"POST": "login 403 403 ok/422 ok/422 ok/422 404 404 403 403"},
        note="officers of the unit holding it; supervisors above read but do not answer; empty form: 422",
    ),
    "petitions_work.forward": Row(
        "/work/petitions/{petition_open_id}/forward",
        {"POST": "login 403 403 ok/422 ok/422 ok/422 404 404 403 403"},
        note="as answering; no unit chosen: 422",
    ),
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
    "reports_pages.ask_month_to_date": Row(
        "/reports/month-to-date",
        {"POST": "login 403 403 403 403 ok/422 403 ok/422 ok/422 ok/422"},
        note="the running month to date: leaders, supervisors and admins; an empty form: 422",
    ),
    "search_pages.search": Row(
        "/work/search?q={returned}",
        {"GET": STAFF},
        note="every civil servant searches; each finds only what their unit holds or held",
    ),
    "indicators_pages.dashboard": Row("/stats?unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.charts": Row("/stats/charts.json?unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.dossiers": Row("/stats/dossiers?metric={metric}&unit={unit_code}", {"GET": OVERSEERS}),
    "indicators_pages.export": Row("/stats/export.csv?unit={unit_code}", {"GET": OVERSEERS}),
    # --- the administrators' pages
    "admin_pages.index": Row("/admin/", {"GET": ADMIN}),
    "admin_pages.users": Row("/admin/users", {"GET": ADMIN}),
    "admin_pages.new_user": Row("/admin/users/new", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.edit_user": Row("/admin/users/{user}", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.user_second_factor": Row("/admin/users/{user}/second-factor", {"POST": ADMIN}),
    "admin_pages.toggle_user": Row("/admin/users/{user}/active", {"POST": ADMIN}, {"active": "0"}),
    "admin_pages.user_password": Row("/admin/users/{user}/password", {"POST": ADMIN_FORM}),
    "admin_pages.units": Row("/admin/units", {"GET": ADMIN}),
    "admin_pages.new_unit": Row("/admin/units/new", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.edit_unit": Row("/admin/units/{unit}", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.toggle_unit": Row("/admin/units/{unit}/active", {"POST": ADMIN}, {"active": "1"}),
    "admin_pages.add_unit_successor": Row("/admin/units/{unit}/successors", {"POST": ADMIN_FORM}),
    "admin_pages.calendar_page": Row("/admin/calendar", {"GET": ADMIN}),
    "petitions_admin.deadlines": Row("/admin/petitions", {"GET": ADMIN, "POST": ADMIN_FORM}),
    "admin_pages.add_calendar_day": Row("/admin/calendar/days", {"POST": ADMIN_FORM}),
    "admin_pages.remove_calendar_day": Row("/admin/calendar/days/{day}/delete", {"POST": ADMIN}),
    "audit_pages.history": Row("/admin/audit/history", {"GET": ADMIN}),
    "audit_pages.verify_now": Row("/admin/audit/history/verify", {"POST": ADMIN}),
    "audit_pages.accesses": Row("/admin/audit/accesses", {"GET": ADMIN}),
    # --- signed results: the public verification page, the data store push log
    "results.verify": Row("/ket-qua/{result_token}", {"GET": PUBLIC}),
    "results.verify_upload": Row(
        "/ket-qua/{result_token}", {"POST": PUBLIC_FORM}, note="no file: 400 naming the file to choose"
    ),
    "results_admin.pushes": Row("/admin/results", {"GET": ADMIN}),
    "results_admin.replay": Row("/admin/results/replay", {"POST": ADMIN}),
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
    # --- dossiers filed on the national portal: the LGSP's signed door, the provincial centre's held
    # filings, the admin's view and the catalogue for the national procedure database
    "national_lgsp.push": Row(
        "/api/lgsp/v1/filings",
        {"POST": "401 401 401 401 401 401 401 401 401 401"},
        json={"MaBanTin": "x"},
        note="only the LGSP, signing each call with its key: no session or bearer token is enough",
    ),
    "national_lgsp.filing_status": Row(
        "/api/lgsp/v1/filings/{national_code}", {"GET": "401 401 401 401 401 401 401 401 401 401"}
    ),
    "national_pages.held": Row(
        "/work/national/held", {"GET": ADMIN}, note="the provincial centre's reception (no caller here) too"
    ),
    "national_pages.name_procedure": Row(
        "/work/national/held/{held_filing}",
        {"POST": ADMIN},
        {"procedure": ""},
        note="no procedure chosen: the page says so",
    ),
    "national_admin.overview": Row("/admin/sync/national", {"GET": ADMIN}),
    "national_admin.retry": Row("/admin/sync/national/{held_filing}/retry", {"POST": ADMIN}),
    "national_admin.catalogue_json": Row("/admin/sync/national/catalogue.json", {"GET": ADMIN}),
    "national_admin.catalogue_csv": Row("/admin/sync/national/catalogue.csv", {"GET": ADMIN}),
    "national_admin.compare": Row(
        "/admin/sync/national/catalogue/compare",
        {"POST": "login 403 403 403 403 403 403 403 403 ok/422"},
        note="no file chosen: 422 naming it",
    ),
    # --- money (app/payments): a certified copy with its fee paid at the counter and an online payment
    # still pending; a land dossier held by the district land registry with a notified obligation
    "payments.pay": Row(
        "/my/dossiers/{pay_dossier}/payments",
        {"POST": "login ok/409 404 403 403 403 404 404 403 403"},
        note="the applicant may pay; nothing is left due (and no platform is configured here): 409",
    ),
    "payments.platform_return": Row("/payments/return?orderId={pay_order}", {"GET": VISIBLE}),
    "payments.receipt": Row("/payments/dossiers/{pay_dossier}/receipts/{pay_receipt}", {"GET": VISIBLE}),
    "payments.notice": Row(
        "/payments/dossiers/{land_pay}/charges/{land_obligation}/notice",
        {"GET": VISIBLE},
        note="xã Cần Đăng received the land dossier: its staff see it, the registry holds it",
    ),
    "payments_platform.platform_notify": Row(
        "/api/v1/payments/platform/notify",
        {"POST": "ok/403 ok/403 ok/403 ok/403 ok/403 ok/403 ok/403 ok/403 ok/403 ok/403"},
        json={"orderId": "MC0", "status": "paid"},
        note="server to server, no session: only the platform's signature counts (none here: 403)",
    ),
    "payments_work.new_obligation": Row(
        "/work/dossiers/{land_pay}/obligations/new",
        {"GET": REGISTRY_ONLY, "POST": REGISTRY_ONLY},
        note="only the holding unit's specialist (the district land registry) notifies obligations",
    ),
    "payments_work.notify": Row("/work/dossiers/{land_pay}/obligations/notify", {"POST": REGISTRY_ONLY}),
    "payments_work.delete_obligation": Row(
        "/work/dossiers/{land_pay}/obligations/{land_obligation}/delete", {"POST": REGISTRY_ONLY}
    ),
    "payments_work.cancel": Row(
        "/work/dossiers/{land_pay}/obligations/{land_obligation}/cancel",
        {"GET": REGISTRY_ONLY, "POST": REGISTRY_ONLY},
    ),
    "payments_work.counter_payment": Row(
        "/work/dossiers/{land_pay}/counter-payments",
        {
            "GET": "login 403 403 ok ok ok 404 404 403 403",
            "POST": "login 403 403 ok/422 ok/422 ok/422 404 404 403 403",
        },
        note="the receiving commune's counter (and the holding unit) records; an empty form: 422",
    ),
    "payments_finance.reconciliation": Row("/payments/reconciliation?unit={unit_code}", {"GET": OVERSEERS}),
    "payments_finance.export": Row("/payments/reconciliation.xlsx?unit={unit_code}", {"GET": OVERSEERS}),
    "payments_finance.refund": Row(
        "/payments/{pay_receipt}/refund",
        {"GET": OVERSEERS, "POST": "login 403 403 403 403 ok/422 403 403 ok/422 ok/422"},
        note="leaders and supervisors of the collecting unit's area; an empty form: 422",
    ),
    # --- the API
    "auth.create_token": Row(
        "/api/v1/auth/token",
        {"POST": API_PUBLIC},
        json={"username": "authz-citizen", "password": PASSWORD},
        note="a citizen's password is enough; staff also send their second factor's code",
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
    "search.dossiers": Row("/api/v1/search/dossiers?q={returned}", {"GET": API_STAFF}),
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
    """A test account; staff come with a second factor, as if they had enrolled before."""
    import pyotp

    from app.auth.services import create_user
    from app.core.db import utcnow

    with unit_of_work():
        account = create_user(
            username=username,
            password=PASSWORD,
            role=role,
            full_name=f"Kiểm thử {username}",
            unit_code=unit,
            **extra,
        )
        if account.needs_second_factor:
            account.totp_secret, account.totp_enabled_at = pyotp.random_base32(), utcnow()
        return account


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


def _petitions(applicant: User, values: dict) -> dict:
    """A petition of the applicant about a dossier of xã Cần Đăng, still open, and one answered."""
    from app.petitions.services import PetitionInput, answer_petition, file_petition

    def petition(title: str):  # noqa: ANN202
        data = PetitionInput(
            "feedback", title, "Nội dung phản ánh kiểm thử.", dossier_code=values["submitted"]
        )
        return file_petition(applicant, data).petition

    with unit_of_work():
        still_open, answered = petition("Còn chờ trả lời"), petition("Đã trả lời")
        summary = "Phản ánh về thời gian giải quyết."
        answer_petition(
            answered, _demo("cv.candang"), "Đơn vị đã xử lý.", is_public=True, public_summary=summary
        )
    return {
        "petition_open": still_open.code,
        "petition_open_id": still_open.id,
        "petition_answered": answered.code,
    }


def _national() -> dict:
    """A filing from the national portal whose procedure the map cannot tell (held)."""
    from app.core.db import utcnow
    from app.national.models import InboundFiling

    with unit_of_work():
        filing = InboundFiling(
            national_code="G22.AUTHZ-0001",
            message_id="nop-authz",
            transport="push",
            state="held",
            envelope={},
            localised_code="9.999999",
            unit_code=HOLDING_UNIT,
            applicant_name="Kiểm thử authz",
            filed_at=utcnow(),
            reason="Mã thủ tục '9.999999' trên Cổng DVC quốc gia không có trong danh mục của tỉnh",
        )
        db.session.add(filing)
    return {"held_filing": filing.id, "national_code": filing.national_code}


def _representation(applicant: User, app) -> dict:
    """The applicant authorises a third citizen, who files a birth registration for them at xã Cần
    Đăng (its first event names both and the authorisation)."""
    import io
    from datetime import timedelta

    from app.representation.services import Grant, grant_authorisation
    from app.workflow.submission import Submission, submit_dossier
    from tests.factories import PDF, form_data, uploads_for

    representative = _account("authz-representative", "citizen", citizen_id="089193000103")
    grant = Grant("089193000103", "Kiểm thử authz-representative", "all", date.today() + timedelta(days=30))
    grant.filename, grant.stream = "uy-quyen.pdf", io.BytesIO(PDF)
    procedure = get_registry().current(BIRTH, date.today())
    with unit_of_work():
        authorisation = grant_authorisation(applicant, grant)
        represented = submit_dossier(
            representative,
            Submission(
                procedure.code,
                form_data(procedure),
                uploads_for(procedure),
                unit_code=HOLDING_UNIT,
                on_behalf_of=applicant.id,
            ),
        )
    return {"authorisation": authorisation.id, "represented": represented.code}


def _payments(applicant: User, app) -> dict:
    """A certified copy received at xã Cần Đăng: an online payment of its fee started (still
    pending) and the fee then paid at the counter, with its receipt stored; a land dossier of the
    applicant held by the district land registry with a notified obligation (its notice uploaded)."""
    import io

    from app.payments.counter import CounterPayment, record_counter_payment
    from app.payments.obligations import NoticeUpload, add_obligation, notify_obligations
    from app.payments.online import start_online_payment
    from app.payments.queries import due_charges
    from app.payments.receipts import render_receipt
    from tests.factories import PDF
    from tests.payments.support import OBLIGATION, at_registry

    copy = act(submit(applicant, "2.000815"), "accept", _demo("tn.candang"))
    with pytest.MonkeyPatch.context() as platform_here:  # no call is made until the citizen is sent there
        for name, value in (("PAYMENT_PLATFORM_URL", "http://127.0.0.1:9"), ("PAYMENT_PLATFORM_KEY", "k")):
            platform_here.setitem(app.config, name, value)
        with unit_of_work():
            pending = start_online_payment(copy, applicant).payment
    with unit_of_work():
        fee = [c.id for c in due_charges(copy.id)]
        paid = record_counter_payment(copy, _demo("tn.candang"), CounterPayment("cash", fee))
    render_receipt(paid.id)
    land = at_registry(applicant, _demo)
    with unit_of_work():
        notice = NoticeUpload("tb.pdf", io.BytesIO(PDF))
        obligation = add_obligation(land, _demo("cv.vpdk"), OBLIGATION, notice)
        notify_obligations(land, _demo("cv.vpdk"))
    return {
        "pay_dossier": copy.code,
        "pay_order": pending.reference,
        "pay_receipt": paid.id,
        "land_pay": land.code,
        "land_obligation": obligation.id,
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


def _results(applicant: User, app) -> dict:
    """A birth certificate signed at approval by xã Cần Đăng (a test CA of the module's own)."""
    import io
    import tempfile

    from app.results.models import SignedResult
    from app.workflow.documents import Files, Upload
    from tests.results.support import result_pdf

    with pytest.MonkeyPatch.context() as signing:
        signing.setitem(app.config, "RESULT_TEST_CA_DIR", tempfile.mkdtemp(prefix="authz-ca-"))
        dossier = submit(applicant, BIRTH)
        act(dossier, "accept", _demo("tn.candang"))
        act(dossier, "assign", _demo("ld.candang"), {"assignee": "cv.candang"})
        act(dossier, "propose", _demo("cv.candang"))
        result = Files(results=[Upload("result", "kq.pdf", io.BytesIO(result_pdf()))])
        act(dossier, "approve", _demo("ld.candang"), files=result)
    signed = db.session.scalar(db.select(SignedResult).where(SignedResult.dossier_id == dossier.id))
    return {"result_token": signed.token}


@pytest.fixture(scope="module")
def world(app, committed_module) -> tuple[dict, dict[str, Caller]]:
    applicant = _account("authz-applicant", "citizen", citizen_id="089191000101", phone="0912000101")
    _account("authz-citizen", "citizen", citizen_id="089192000102", phone="0912000102")
    _account("authz-other-unit", "reception", OTHER_COMMUNE)
    _account("authz-district-sup", "supervisor", OTHER_DISTRICT)
    spare = _account("authz-spare", "specialist", HOLDING_UNIT)
    values = {**_dossiers(applicant, app), **_objects(applicant, spare)}
    values |= _petitions(applicant, values)
    values |= _representation(applicant, app)
    values |= _payments(applicant, app)
    values |= _results(applicant, app)
    values |= _national()
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
