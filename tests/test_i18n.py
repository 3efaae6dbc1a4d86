"""Every text a user can see has its English translation (message ids are the Vietnamese texts)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [
    ("app/**.py", "python"),
    ("app/templates/**.html", "jinja2"),
    ("app/templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def _ui_texts() -> dict[str, str]:
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, filename)
    return found


def test_every_ui_text_has_an_english_translation():
    sys.path.insert(0, str(ROOT / "scripts"))
    from build_translations import merged_catalog

    catalog, clashes = merged_catalog()
    missing = sorted(f"{where}: {text!r}" for text, where in _ui_texts().items() if not catalog.get(text))
    assert missing == [], "add these to app/translations/parts/<domain>.po:\n" + "\n".join(missing)
    assert clashes == []


def test_the_language_switch_keeps_the_page_and_its_choices(client):
    html = client.get("/procedures?q=khai+sinh&level=commune").get_data(as_text=True)
    assert 'href="?q=khai+sinh&amp;level=commune&amp;lang=en"' in html
    html = client.get("/procedures?q=khai+sinh&lang=en").get_data(as_text=True)
    assert 'href="?q=khai+sinh&amp;lang=vi"' in html
