"""What one signed result costs: signing a one-page result with a unit's key (PAdES, the visible
block with its QR code, then the check of the signed file against the trust list, as the approval
does), and the public verification page's check of an uploaded file (SHA-256 and pyHanko
validation), timed in process on this machine. Uses a throw-away test CA; no database.

    .venv/bin/python benchmarks/results_signing.py [--runs 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _times(runs: int, work) -> list[float]:  # noqa: ANN001
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        found.append((time.perf_counter() - started) * 1000)
    return found


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{name:44} median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from app import create_app
    from app.results import keys, signing, verification
    from tests.results.support import result_pdf

    app = create_app({"TESTING": True, "RESULT_TEST_CA_DIR": tempfile.mkdtemp(prefix="bench-ca-")})
    with app.app_context():
        signer = keys.signer_for("000.21.30.H01", "UBND xã Cần Đăng")
        page = result_pdf("Giay khai sinh so 1")
        request = signing.SigningRequest(
            agency="UBND xã Cần Đăng",
            signer="Lê Văn Lãnh Đạo",
            number="000.21.30.H01-261204-0001/KQ1",
            url="http://127.0.0.1:5000/ket-qua/" + "x" * 32,
            reason="Phát hành Giấy khai sinh",
            location="UBND xã Cần Đăng",
            signed_at=dt.datetime.now(dt.UTC),
        )
        started = time.perf_counter()
        signed = signing.sign_pdf(page, signer, request)
        first = (time.perf_counter() - started) * 1000
        sign = _times(args.runs, lambda: signing.sign_pdf(page, signer, request))
        sign_and_check = _times(
            args.runs, lambda: verification.verify_pdf(signing.sign_pdf(page, signer, request))
        )
        check = _times(args.runs, lambda: verification.check_upload("0" * 64, io.BytesIO(signed), 50))
        print(f"signed file: {len(signed)} bytes (from {len(page)})")
        print(f"{'first signature of the process (font loaded)':44} {first:7.1f} ms")
        print(_line("sign one result", sign))
        print(_line("sign + check against the trust list (approval)", sign_and_check))
        print(_line("verification page: check an uploaded file", check))


if __name__ == "__main__":
    main()
