"""Fixtures for notification tests: an applicant with a unique address, the loopback mailbox,
and a switch to run jobs in this process (for caplog and deterministic counts)."""

from __future__ import annotations

import uuid

import pytest

from tests.notifications.support import Mailbox


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", email=f"cd-{uuid.uuid4().hex[:10]}@example.vn", phone="0912345678")


@pytest.fixture
def mailbox(smtp_server):
    return Mailbox(smtp_server)


@pytest.fixture
def in_process_jobs(app, monkeypatch):
    """Jobs run right after commit in this process, as in the embedded default (no rq worker)."""
    monkeypatch.delitem(app.extensions, "redis")
