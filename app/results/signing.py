"""PAdES signatures of result PDFs (pyHanko), with a visible signature block.

The block sits at the bottom right of the last page: a QR code (segno) of the public verification
page, then the issuing agency, the signer, the signing time (Vietnam time), the result number and
the page's address, in Liberation Serif (app/static/fonts, full Vietnamese coverage). The signature
is PAdES (ETSI.CAdES.detached, SHA-256); its signing time is the signing-time attribute and the
time in the signature dictionary. With `RESULT_TSA_URL` set, an RFC 3161 timestamp of that time
stamping authority is embedded too; without it, the signing time is the signer's own claim.

pyHanko lays text out in thousandths of an em, so the font is rescaled to 1000 units per em once
(fontTools) before it is embedded.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import segno
from flask import current_app
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.writer import init_xobject_dictionary
from pyhanko.stamp.qr import QRStamp, QRStampStyle

from app.core.time import VN_TZ

T = TypeVar("T")

FONT_FILE = "LiberationSerif-Regular.ttf"
FIELD_NAME = "KetQuaKySo"
BLOCK_WIDTH, BLOCK_HEIGHT, MARGIN = 330, 96, 24  # points
QR_BORDER = 2  # quiet-zone modules around the code
STAMP_TEXT = (
    "Cơ quan ban hành: %(agency)s\n"
    "Người ký: %(signer)s\n"
    "Thời gian ký: %(ts)s\n"
    "Số kết quả: %(number)s\n"
    "Kiểm tra: quét mã QR hoặc mở\n"
    "%(url)s"
)


@dataclass(frozen=True)
class SigningRequest:
    agency: str  # the issuing unit's name
    signer: str  # the person who signs (the leader approving)
    number: str  # the result number
    url: str  # the public verification page (the QR code)
    reason: str  # the signature's /Reason: what is signed
    location: str
    signed_at: datetime  # aware; shown in Vietnam time


@lru_cache(maxsize=2)
def _font_bytes(path: str) -> bytes:
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(path)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _BlockFont(FontEngineFactory):
    path: str
    font_size: int = 7

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.path)),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


class _SegnoQRStamp(QRStamp):
    """pyHanko's QR stamp, the code drawn from segno's matrix as filled squares (vector)."""

    def _qr_xobject(self) -> tuple[Any, int]:
        code = segno.make(self.url, error="m", micro=False)
        size = len(code.matrix) + 2 * QR_BORDER
        ops = [b"0 g"]
        for row_index, row in enumerate(code.matrix):
            y = size - QR_BORDER - row_index - 1
            ops += [b"%d %d 1 1 re" % (QR_BORDER + col, y) for col, dark in enumerate(row) if dark]
        ops.append(b"f")
        xobject = init_xobject_dictionary(b"\n".join(ops), size, size)
        xobject.compress()
        return self.writer.add_object(xobject), size


@dataclass(frozen=True)
class _SegnoQRStampStyle(QRStampStyle):
    def create_stamp(self, writer: Any, box: Any, text_params: dict) -> QRStamp:
        url = text_params.pop("url")
        return _SegnoQRStamp(writer, style=self, url=url, text_params=text_params, box=box)


def _style() -> QRStampStyle:
    from pyhanko.pdf_utils.text import TextBoxStyle

    font = str(Path(current_app.static_folder or "", "fonts", FONT_FILE))
    return _SegnoQRStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(font=_BlockFont(font), leading=10),
        border_width=1,
        timestamp_format="%H:%M:%S %d/%m/%Y (GMT+7)",
        background=None,
    )


def _block_box(page_box: Any) -> tuple[float, float, float, float]:
    """Bottom right of the page, inside the margins (smaller pages get a narrower block)."""
    left, bottom, right, _top = (float(v) for v in page_box)
    width = min(BLOCK_WIDTH, right - left - 2 * MARGIN)
    return right - MARGIN - width, bottom + MARGIN, right - MARGIN, bottom + MARGIN + BLOCK_HEIGHT


def _media_box(page: Any) -> Any:
    """The page's MediaBox, inherited from the page tree if the page has none; else A4."""
    node = page
    while node is not None:
        if "/MediaBox" in node:
            return node["/MediaBox"]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return (0, 0, 595, 842)


def _signer_class() -> type:
    from pyhanko.sign import signers

    class _VietnamTimeSigner(signers.PdfSigner):
        """Fixes the signing time (the block prints it in Vietnam time, whatever the server's zone)."""

        signed_at: datetime

        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self.signed_at.astimezone(VN_TZ)
            return session

    return _VietnamTimeSigner


def _timestamper() -> Any:
    url = current_app.config.get("RESULT_TSA_URL") or ""
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=current_app.config.get("RESULT_TSA_TIMEOUT_SECONDS", 10))


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run `work` (pyHanko's synchronous API, which starts an asyncio loop of its own) in a thread
    of its own when this thread already runs an event loop (an async server, a test driving a
    browser); directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(copy_context().run, work).result()


def sign_pdf(data: bytes, signer: Any, request: SigningRequest) -> bytes:
    return outside_event_loop(lambda: _sign_pdf(data, signer, request))


def _sign_pdf(data: bytes, signer: Any, request: SigningRequest) -> bytes:
    """`data` signed (an incremental update: earlier signatures stay valid) with the block on its
    last page. Raises pyHanko's errors for a PDF it cannot sign (the caller names them)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    last = writer.find_page_for_modification(-1)[0].get_object()
    field_name = f"{FIELD_NAME}-{uuid.uuid4().hex[:12]}"  # a file signed here before has one already
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        name=request.signer,
    )
    field = fields.SigFieldSpec(field_name, on_page=-1, box=_block_box(_media_box(last)))
    pdf_signer = _signer_class()(
        meta, signer=signer, stamp_style=_style(), new_field_spec=field, timestamper=_timestamper()
    )
    pdf_signer.signed_at = request.signed_at
    params = {
        "url": request.url,
        "agency": request.agency,
        "signer": request.signer,
        "number": request.number,
    }
    return pdf_signer.sign_pdf(writer, appearance_text_params=params).getvalue()
