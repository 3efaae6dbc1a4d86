"""Message texts: SMS length, and every text has its English translation in notifications.po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.notifications.messages import SMS_MAX_CHARS, fit_sms

ROOT = Path(__file__).resolve().parents[2]
LINK = "https://dichvucong.angiang.gov.vn/my/dossiers/000.21.30.H01-261127-0007"


@pytest.mark.parametrize(
    ("text", "link", "expected"),
    [
        ("Hồ sơ đã được tiếp nhận.", "http://x/1", "Hồ sơ đã được tiếp nhận. http://x/1"),
        ("  nhiều   khoảng\ntrắng ", "http://x/1", "nhiều khoảng trắng http://x/1"),
        ("a" * 200, LINK, "a" * (SMS_MAX_CHARS - len(LINK) - 2) + "… " + LINK),
        ("ngắn", "http://" + "x" * 150, "ngắn"),  # a link too long to fit is dropped
        ("b" * 200, "http://" + "x" * 150, "b" * (SMS_MAX_CHARS - 1) + "…"),
    ],
)
def test_sms_fits_one_message_with_the_link_when_it_fits(text, link, expected):
    result = fit_sms(text, link)
    assert result == expected and len(result) <= SMS_MAX_CHARS


def test_every_notification_text_has_an_english_translation():
    method_map = [("app/notifications/**.py", "python"), ("app/templates/notifications/**.txt", "jinja2")]
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map)
        if message
    }
    with (ROOT / "app/translations/parts/notifications.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {m.id for m in catalog if m.id and m.string}

    assert found, "no texts extracted"
    assert sorted(found - translated) == []
    assert sorted(set(translated) - found) == []  # nothing stale
