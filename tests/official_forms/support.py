"""Reading issued forms back: the stored PDF, its text and its page size."""

from __future__ import annotations

import io
import subprocess
import unicodedata

from pypdf import PdfReader

from app.official_forms.models import IssuedForm
from app.official_forms.queries import list_forms
from app.storage import get_storage

A5_POINTS = (419.53, 595.28)  # 148 x 210 mm
NATIONAL_HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def stored_pdf(issued: IssuedForm) -> bytes:
    assert issued.status == "ready" and issued.storage_key, (issued.status, issued.error)
    return b"".join(get_storage().open(issued.storage_key))


def pdf_text(pdf: bytes) -> str:
    """All text, NFC-normalised, with runs of white space (line breaks included) made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdftotext(pdf: bytes) -> str:
    """The text as poppler's pdftotext reads it (what a clerk's copy and paste gets), NFC-normalised,
    runs of white space made single spaces."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def font_names(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def only_form(dossier_id: int, form: str) -> IssuedForm:
    found = [f for f in list_forms(dossier_id) if f.form == form]
    assert len(found) == 1, [(f.form, f.status) for f in list_forms(dossier_id)]
    return found[0]
