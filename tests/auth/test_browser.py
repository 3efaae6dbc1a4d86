"""In a real browser (Debian Chromium), on a phone-sized screen and by keyboard: an officer without a
second factor signs in, is taken to the enrolment, sets up the app from the key on the page and gets
to work; no page breaks the Content-Security-Policy (the API documentation page included)."""

from __future__ import annotations

import pyotp

from tests.web import browser_sign_in


def test_an_officer_enrols_the_second_factor_on_a_phone(page_factory, screenshot, make_user):
    officer = make_user("reception", second_factor=False)
    page = page_factory(width=360, height=780)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )

    browser_sign_in(page, officer.username, "password123")
    assert "/account/second-factor" in page.url
    page.goto("/work")  # staff pages wait for the enrolment
    assert "/account/second-factor" in page.url
    assert page.locator("img.qr").evaluate("img => img.naturalWidth > 0")
    screenshot(page, "second-factor-setup-360")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.locator("#recovery-codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "recovery-codes-360")
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    page.wait_for_url("**/work/**")

    page.goto("/api/docs")
    page.locator(".swagger-ui .info").wait_for()  # the documentation ran its script from a file
    assert refused == []
