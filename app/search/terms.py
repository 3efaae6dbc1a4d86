"""What an officer typed in a search box, read as one kind of search term. Pure functions: the
staff search (app.search.queries) and the queue search (app.queues) read a box the same way.

- a whole dossier code (``000.21.30.H01-261203-0003``, any letter case): that dossier;
- the end of a code: the serial (``0003``), day and serial (``261203-0003``), or more of it;
- a citizen ID (CCCD, 12 digits);
- a phone number: 10 or 11 digits starting with 0, or with +84 / 84 instead of the 0; spaces, dots,
  dashes and brackets are ignored (``0912 345 678``, ``+84 912.345.678``);
- anything else: words of the applicant's name, with or without diacritics (``tran thi thao``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.procedures.queries import search_words

CODE = "code"
CODE_END = "code_end"
CITIZEN_ID = "citizen_id"
PHONE = "phone"
NAME = "name"

FULL_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4,}$")  # <agency>-YYMMDD-XXXX
CODE_PART = re.compile(r"^[0-9A-Z.\-]*\d[0-9A-Z.\-]*$")
_CITIZEN_ID = re.compile(r"^\d{12}$")
_PHONE_TEXT = re.compile(r"^\+?[\d\s.\-()]+$")
_PHONE = re.compile(r"^0\d{9,10}$")


@dataclass(frozen=True)
class SearchTerm:
    kind: str  # CODE, CODE_END, CITIZEN_ID, PHONE or NAME
    value: str  # the code (upper case), digits, or the folded name words joined by spaces

    @property
    def words(self) -> list[str]:
        return self.value.split()


def normalise_phone(value: str | None) -> str | None:
    """National form of a phone number, digits only: "+84 912 345 678" -> "0912345678"; None when
    nothing is left. Stored numbers and typed ones are compared in this form."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit() and ch.isascii())
    if (value or "").strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = digits[2:] if digits[2:].startswith("0") else "0" + digits[2:]  # "+84 (0) 912 ..." too
    return digits or None


def reversed_code(code: str) -> str:
    """A code written backwards, so that the end of a code is the start of an index key."""
    return code[::-1]


def read_term(text: str | None) -> SearchTerm | None:
    """The search term in `text`; None for a blank box. A box with nothing searchable in it (only
    punctuation) is a name term with no words, which matches nothing."""
    text = (text or "").strip()
    if not text:
        return None
    upper = text.upper()
    if FULL_CODE.match(upper):
        return SearchTerm(CODE, upper)
    compact = re.sub(r"\s+", "", text)
    if _CITIZEN_ID.match(compact):
        return SearchTerm(CITIZEN_ID, compact)
    if _PHONE_TEXT.match(text):
        phone = normalise_phone(text)
        if phone and _PHONE.match(phone):
            return SearchTerm(PHONE, phone)
    if CODE_PART.match(upper) and ("-" in upper or upper.isdigit()):
        return SearchTerm(CODE_END, upper)
    return SearchTerm(NAME, " ".join(search_words(text)))
