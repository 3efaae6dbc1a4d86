"""Merge app/translations/parts/*.po (English for each domain's Vietnamese texts) into the catalog
Flask-Babel reads, and compile it. Message ids are the Vietnamese texts, so Vietnamese needs no
catalog. Run by `make run` and `make test`; the merged and compiled files are build output."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "app" / "translations" / "parts"
TARGET = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"


def merged_catalog() -> tuple[Catalog, list[str]]:
    catalog, clashes = Catalog(locale="en", domain="messages"), []
    for part in sorted(PARTS.glob("*.po")):
        with part.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if not message.id or not message.string:
                    continue
                existing = catalog.get(message.id)
                if existing is not None and existing.string != message.string:
                    clashes.append(f"{part.name}: {message.id!r} already translated as {existing.string!r}")
                    continue
                catalog.add(message.id, message.string)
    return catalog, clashes


def main() -> int:
    catalog, clashes = merged_catalog()
    for clash in clashes:
        print(f"warning: {clash}", file=sys.stderr)
    TARGET.mkdir(parents=True, exist_ok=True)
    with (TARGET / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    with (TARGET / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    print(f"translations: {len(catalog)} English messages compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
