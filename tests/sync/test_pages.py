"""Admin sync pages: admin only, CSRF on every form, counts and the national notice, subscribers
created with a secret shown once, URL validation, edit and delete."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.sync import secrets
from app.sync.models import WebhookSubscriber
from tests.web import csrf_token, sign_in


@pytest.mark.parametrize("login, status", [("admin", 200), ("tn.candang", 403), ("ld.candang", 403)])
def test_sync_pages_are_for_admins_only(client, login, status):
    sign_in(client, login)
    for url in ("/admin/sync", "/admin/sync/subscribers", "/admin/sync/subscribers/new"):
        assert client.get(url).status_code == status


def test_overview_says_when_national_sync_is_disabled(app, client, monkeypatch):
    sign_in(client, "admin")
    monkeypatch.setitem(app.config, "NATIONAL_PORTAL_URL", "")
    page = client.get("/admin/sync").get_data(as_text=True)
    assert 'id="national-disabled"' in page
    assert 'href="/admin/sync"' in page and "Đồng bộ" in page  # the admin tab
    monkeypatch.setitem(app.config, "NATIONAL_PORTAL_URL", "http://127.0.0.1:9/national")
    assert 'id="national-disabled"' not in client.get("/admin/sync").get_data(as_text=True)


def test_subscriber_is_created_with_a_secret_shown_once(client):
    sign_in(client, "admin")
    url = "/admin/sync/subscribers/new"
    form = {
        "name": "Sở Y tế",
        "url": "https://hook.example.vn/events",
        "event_types": ["dossier.transitioned"],
    }
    assert client.post(url, data=form).status_code == 400  # no CSRF token
    response = client.post(url, data={**form, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 200
    shown = re.search(r'id="secret">([^<]+)<', response.get_data(as_text=True)).group(1)

    subscriber = db.session.scalar(select(WebhookSubscriber).where(WebhookSubscriber.name == "Sở Y tế"))
    assert subscriber.topics == ["dossier.transitioned"]
    assert shown not in subscriber.secret_encrypted and secrets.decrypt(subscriber.secret_encrypted) == shown
    edit = client.get(f"/admin/sync/subscribers/{subscriber.id}").get_data(as_text=True)
    assert shown not in edit
    assert shown not in client.get("/admin/sync/subscribers").get_data(as_text=True)


@pytest.mark.parametrize("bad_url", ["ftp://hook.example.vn/x", "javascript:alert(1)", "hook.example.vn", ""])
def test_subscriber_url_must_be_http_or_https(client, bad_url):
    sign_in(client, "admin")
    url = "/admin/sync/subscribers/new"
    data = {
        "name": "X",
        "url": bad_url,
        "event_types": ["dossier.submitted"],
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "http:// hoặc https://" in response.get_data(as_text=True)
    assert db.session.scalar(select(WebhookSubscriber)) is None


def test_subscriber_can_be_edited_paused_and_deleted(client):
    from app.sync.subscribers import create_subscriber

    subscriber, _ = create_subscriber("Cũ", "http://127.0.0.1:9/old", ["dossier.submitted"])
    sign_in(client, "admin")
    url = f"/admin/sync/subscribers/{subscriber.id}"
    checked = re.findall(r'<input checked[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert checked == ["dossier.submitted"]  # the form shows the subscriber's event types
    token = csrf_token(client, url)
    data = {
        "name": "Mới",
        "url": "https://new.example.vn/h",
        "event_types": ["dossier.submitted", "dossier.transitioned"],
    }
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 302
    db.session.refresh(subscriber)
    assert (subscriber.name, subscriber.url, subscriber.topics) == ("Mới", data["url"], data["event_types"])

    assert client.post(f"{url}/paused", data={"paused": "1", "csrf_token": token}).status_code == 302
    db.session.refresh(subscriber)
    assert subscriber.is_paused
    assert "Tạm dừng" in client.get("/admin/sync/subscribers").get_data(as_text=True)

    assert client.post(f"{url}/delete", data={}).status_code == 400  # no CSRF token
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookSubscriber, subscriber.id) is None
    assert client.get(url).status_code == 404
