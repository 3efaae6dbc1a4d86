"""Forms to PDF: a Jinja template per form, rendered by WeasyPrint (A5; the tracking book A4 landscape).

Fonts come from app/static/fonts (Liberation Serif: Times New Roman metrics, full Vietnamese
coverage, SIL OFL), loaded by @font-face from file:// URLs, so the output is the same on every
machine whatever fonts it has installed. WeasyPrint embeds only the glyphs used: a form is ~30 KB.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import segno
from flask import current_app

from app.official_forms.catalog import FormKind

FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
}


def font_faces() -> list[dict[str, str]]:
    """@font-face entries (weight, style, file:// URL) for the vendored fonts."""
    folder = Path(current_app.static_folder or "", "fonts")
    return [
        {"weight": weight, "style": style, "url": (folder / name).resolve().as_uri()}
        for (weight, style), name in FONT_FILES.items()
    ]


def qr_data_uri(url: str) -> str:
    """The QR code as an SVG data URI (vector: sharp when printed, a few KB in the PDF)."""
    return segno.make(url, error="m").svg_data_uri(border=2, dark="#000")


def _template_args(kind: FormKind, content: dict[str, Any]) -> dict[str, Any]:
    qr = qr_data_uri(content["tracking_url"]) if content.get("tracking_url") else None
    return {"kind": kind, "c": content, "qr": qr, "font_faces": font_faces()}


def render_html(kind: FormKind, content: dict[str, Any]) -> str:
    """The form's HTML. Rendered from the app's Jinja environment without request context
    processors: the job runs in a worker, with no request and no signed-in user."""
    template = current_app.jinja_env.get_template(kind.template)
    return template.render(**_template_args(kind, content))


def stream_html(kind: FormKind, content: dict[str, Any], out: IO[str]) -> None:
    """Like render_html, written piece by piece: iterators in ``content`` (the rows of a tracking
    book) are consumed as the template reaches them, so they never sit in memory all at once."""
    template = current_app.jinja_env.get_template(kind.template)
    for piece in template.generate(**_template_args(kind, content)):
        out.write(piece)


def _base_url() -> str:
    return Path(current_app.static_folder or ".").resolve().as_uri() + "/"


def render_pdf(kind: FormKind, content: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only jobs need it

    return HTML(string=render_html(kind, content), base_url=_base_url()).write_pdf()


def write_pdf_file(html_path: Path, pdf_path: Path, laid_out: Callable[[int], None] | None = None) -> int:
    """HTML file to PDF file; ``laid_out(pages)`` is called between layout and writing (the two
    long stages, for progress reports). Returns the number of pages."""
    from weasyprint import HTML

    document = HTML(filename=str(html_path), base_url=_base_url(), encoding="utf-8").render()
    if laid_out is not None:
        laid_out(len(document.pages))
    document.write_pdf(str(pdf_path))
    return len(document.pages)
