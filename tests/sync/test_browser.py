"""Sync admin pages in Debian's Chromium on a 360 px phone: nothing wider than the screen, and a
subscriber is added by keyboard (its secret shown once). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from app.sync.subscribers import create_subscriber, set_paused
from tests.sync.support import dossier_with_events, wait_for_states
from tests.web import browser_sign_in

pytestmark = pytest.mark.usefixtures("sync_app")


def test_sync_pages_fit_a_phone_and_a_subscriber_is_added_by_keyboard(
    page_factory, screenshot, receiver, make_user, user
):
    subscriber, _ = create_subscriber(
        "Hệ thống một cửa liên thông tỉnh", receiver.url("/hook/b"), ["dossier.submitted"]
    )
    set_paused(subscriber, True)
    dossier_with_events(make_user("citizen"), user)
    wait_for_states({"delivered": 5, "pending": 1})

    page = page_factory(width=360, height=740)
    browser_sign_in(page, "admin")
    for name, url in {
        "overview": "/admin/sync",
        "subscribers": "/admin/sync/subscribers",
        "subscriber": f"/admin/sync/subscribers/{subscriber.id}",
    }.items():
        page.goto(url)
        screenshot(page, f"sync-{name}-360")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name

    page.goto("/admin/sync/subscribers/new")
    page.get_by_label("Tên hệ thống nhận tin").fill("Sở Tư pháp")
    page.get_by_label("Địa chỉ nhận (URL)").fill("https://stp.example.vn/hook")
    page.get_by_label("Địa chỉ nhận (URL)").press("Enter")
    secret = page.locator("#secret")
    secret.wait_for()
    assert secret.inner_text().startswith("whsec_")
    screenshot(page, "sync-secret-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
