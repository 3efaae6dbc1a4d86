"""Benchmark 5 of lifecycle.py: peak RSS while one 200 MB document is submitted through the API.

Each measurement runs in a fresh process (`python benchmarks/upload_memory.py MODE PATH`, started by
``bench_upload_memory``) that builds the app on the benchmark's services, warms it up with a small
submission, resets its peak RSS and then does one thing: ``api`` submits a construction permit
whose design drawings (``ban_ve_thiet_ke``, up to 200 MB) are the big file, opened from disk and
streamed by the test client; ``floor`` only reads the same file in 1 MiB chunks. The difference
between the two is what the request path holds in memory.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import (
    BenchEnvironment,
    bearer_headers,
    build_app,
    expect,
    log,
    peak_rss_kib,
    procedure,
    reset_peak_rss,
    service_settings,
)

PERMIT = "1.009979"  # Giấy phép xây dựng nhà ở riêng lẻ: design drawings up to 200 MB
PERMIT_UNIT = "000.01.30.H01"  # Bộ phận Một cửa huyện Châu Thành
BIG_FILE_BYTES = 200_000_000
CHUNK = 1024 * 1024
MODES = (("floor", "read the file in 1 MiB chunks (floor)"), ("api", "POST /api/v1/dossiers with it"))


def write_big_pdf(path: Path) -> None:
    """A file that sniffs as PDF: the header, incompressible filler, the trailer."""
    block = random.Random(5).randbytes(CHUNK)
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        left = BIG_FILE_BYTES - 9 - 6
        while left:
            left -= out.write(block[: min(left, CHUNK)])
        out.write(b"%%EOF\n")


def measure(mode: str, path: str) -> dict[str, float]:
    """In this (fresh) process: warm up, reset the peak RSS, do ``mode`` once."""
    from tests.factories import PDF, form_data

    app = build_app(
        {**service_settings(), "RQ_QUEUE": os.environ["RQ_QUEUE"], "S3_BUCKET": os.environ["S3_BUCKET"]},
        pool_size=2,
    )
    client = app.test_client()
    citizen, permit = bearer_headers(app, "congdan"), procedure(app, PERMIT)

    def submit(drawings: Any) -> None:
        body = {"procedure_code": permit.code, "data": json.dumps(form_data(permit)), "unit": PERMIT_UNIT}
        body |= {d.key: (io.BytesIO(PDF), f"{d.key}.pdf") for d in permit.documents if d.required}
        body["ban_ve_thiet_ke"] = (drawings, "ban-ve-thiet-ke.pdf")
        response = client.post(
            "/api/v1/dossiers", data=body, headers=citizen, content_type="multipart/form-data"
        )
        expect(response, 201, "submission with the big file")

    submit(io.BytesIO(PDF))  # imports, connections, bucket check: not part of the measurement
    baseline, began = reset_peak_rss(), time.perf_counter()
    with open(path, "rb") as drawings:
        if mode == "api":
            submit(drawings)
        else:
            while drawings.read(CHUNK):
                pass
    return {"baseline_kib": baseline, "peak_kib": peak_rss_kib(), "seconds": time.perf_counter() - began}


def bench_upload_memory(env: BenchEnvironment) -> list[list[str]]:
    """Rows of (operation, baseline RSS, peak RSS, growth, time, rate), one fresh process per mode."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        path = Path(folder) / "ban-ve-thiet-ke.pdf"
        write_big_pdf(path)
        for mode, label in MODES:
            log(f"upload memory: {label}")
            done = subprocess.run(
                [sys.executable, __file__, mode, str(path)],
                env=env.child_env(),
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(f"upload process ({mode}) failed:\n{done.stderr[-3000:]}")
            got = json.loads(done.stdout.strip().splitlines()[-1])
            mib = [got["baseline_kib"] / 1024, got["peak_kib"] / 1024]
            rows.append(
                [
                    label,
                    *(f"{v:,.1f} MiB" for v in (*mib, mib[1] - mib[0])),
                    f"{got['seconds']:.1f} s",
                    f"{BIG_FILE_BYTES / 1e6 / got['seconds']:,.0f} MB/s",
                ]
            )
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(*sys.argv[1:3])))
