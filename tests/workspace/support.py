"""Reading the workspace page back and posting its action forms as a browser would."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from tests.factories import act

ACTION_RE = re.compile(r'data-action="([a-z_]+)"')
VERSION_RE = re.compile(r'name="expected_version" value="(\d+)"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
STALE = "Hồ sơ vừa được người khác cập nhật — đã tải lại trạng thái mới nhất"


def page(client, code: str, status: int = 200, query: str = "") -> str:
    response = client.get(f"/work/dossiers/{code}{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def actions_on(html: str) -> set[str]:
    return set(ACTION_RE.findall(html))


def form_state(html: str) -> dict[str, str]:
    """The hidden fields every action form of the page carries."""
    version = VERSION_RE.search(html)
    return {
        "csrf_token": CSRF_RE.search(html).group(1),
        "expected_version": version.group(1) if version else "",
    }


def post_action(client, code: str, name: str, data: dict | None = None, *, state: dict | None = None):
    """Post an action form; `state` is what an earlier page load carried (else the page is loaded now)."""
    body = {**(state or form_state(page(client, code))), **(data or {})}
    return client.post(f"/work/dossiers/{code}/actions/{name}", data=body, content_type="multipart/form-data")


def fresh(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def count_events(dossier: Dossier, transition: str | None = None) -> int:
    query = select(func.count(DossierEvent.id)).where(DossierEvent.dossier_id == dossier.id)
    if transition:
        query = query.where(DossierEvent.transition == transition)
    return db.session.scalar(query)


def birth_to_awaiting_approval(dossier: Dossier, user) -> Dossier:
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    act(dossier, "propose", user("cv.candang"))
    return dossier


def land_to_verifying(dossier: Dossier, user) -> Dossier:
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    return dossier
