"""Forms to PDF: a Jinja template per form, rendered by WeasyPrint on A5.

Fonts come from app/static/fonts (Liberation Serif: Times New Roman metrics, full Vietnamese
coverage, SIL OFL), loaded by @font-face from file:// URLs, so the output is the same on every
machine whatever fonts it has installed. WeasyPrint embeds only the glyphs used: a form is ~30 KB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import segno
from flask import current_app

from app.documents.catalog import FormKind

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


def render_html(kind: FormKind, content: dict[str, Any]) -> str:
    """The form's HTML. Rendered from the app's Jinja environment without request context
    processors: the job runs in a worker, with no request and no signed-in user."""
    template = current_app.jinja_env.get_template(kind.template)
    return template.render(
        kind=kind, c=content, qr=qr_data_uri(content["tracking_url"]), font_faces=font_faces()
    )


def render_pdf(kind: FormKind, content: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only jobs need it

    base_url = Path(current_app.static_folder or ".").resolve().as_uri() + "/"
    return HTML(string=render_html(kind, content), base_url=base_url).write_pdf()
