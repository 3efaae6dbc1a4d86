"""Result files and signers for the results tests: a one-page PDF, signed PDFs of other CAs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from app.results import keys, signing
from app.results.signing import SigningRequest


def result_pdf(text: str = "Phieu ly lich tu phap so 1") -> bytes:
    """A well-formed one-page A4 PDF showing `text` (Helvetica): what an office exports as its result."""
    stream = b"BT /F1 18 Tf 72 760 Td (" + text.encode("ascii") + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def signer_of(folder: Path, name: str, ca_name: str = keys.TEST_CA_NAME, **validity):  # noqa: ANN201
    """A pyHanko signer with a new certificate of the CA in `folder` (made, named `ca_name`, if missing)."""
    from pyhanko.sign import signers

    keys.make_test_ca(folder, name=ca_name)
    cert, key = keys.issue_certificate(folder, name, name, **validity)
    ca_cert = keys._load_ca(folder)[0]
    path = folder / f"{abs(hash((name, str(validity))))}.p12"
    path.write_bytes(keys.pkcs12_bytes(cert, key, [ca_cert], "pw"))
    return signers.SimpleSigner.load_pkcs12(str(path), passphrase=b"pw")


def signed_elsewhere(signer, text: str = "Ket qua ky ngoai he thong") -> bytes:  # noqa: ANN001
    """A result PDF signed outside the system (another tool, another key)."""
    request = SigningRequest(
        agency="Co quan khac",
        signer="Nguoi ky khac",
        number="KQ-NGOAI-1",
        url="https://example.vn/kiem-tra",
        reason="Ky thu",
        location="Noi khac",
        signed_at=dt.datetime.now(dt.UTC),
    )
    return signing.sign_pdf(result_pdf(text), signer, request)


def flip_byte_in_content(data: bytes, marker: bytes = b"Phieu") -> bytes:
    """One byte of the page text changed (a letter of `marker`), the structure left intact."""
    position = data.index(marker)
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def stored_bytes(document) -> bytes:  # noqa: ANN001
    from app.storage import get_storage

    return b"".join(get_storage().open(document.storage_key))


def as_file(data: bytes, name: str = "ket-qua.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name
