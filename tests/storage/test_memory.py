"""A 200 MB upload is streamed: memory stays flat whatever the file size, on both backends.

The upload is produced lazily (PDF magic first, then a repeating pattern), so the test itself never
holds the file either. Two views: Python allocations (tracemalloc, in this process) and the whole
process's peak resident size (VmHWM, in a fresh subprocess, which also counts C-level buffers and
threads) compared with its resident size just before the upload. (``ru_maxrss`` is not used: Linux
carries it across exec, so a child would report the test runner's own peak.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

MB = 1024 * 1024
SIZE = 200 * MB
ROOT = Path(__file__).resolve().parents[2]


def test_200_mb_upload_allocates_under_32_mb(storage, lazy_upload, key_prefix):
    upload = lazy_upload(SIZE)
    tracemalloc.start()
    try:
        stored = storage.put_stream(
            upload, allowed_types=["application/pdf"], max_bytes=250 * MB, prefix=key_prefix
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (stored.size, stored.sha256) == (SIZE, upload.sha256)
    assert peak < 32 * MB, f"peak Python allocation {peak / MB:.1f} MB"
    storage.delete(stored.key)


_RSS_SCRIPT = textwrap.dedent("""
    import json, sys
    from app.storage import build_storage

    def vm(field):  # kB, from Linux's per-process status; VmHWM is the peak resident size
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

    from tests.storage.conftest import LazyUpload  # a well-formed PDF, produced on demand

    config = json.loads(sys.argv[1])
    storage = build_storage(config)
    storage.ensure_ready()
    before = vm("VmRSS")
    stored = storage.put_stream(LazyUpload(int(sys.argv[2])), allowed_types=["application/pdf"],
                                max_bytes=250 * 1024 * 1024)
    after = vm("VmHWM")
    storage.delete(stored.key)
    print(json.dumps({"growth_kb": after - before, "size": stored.size}))
""")


def test_200_mb_upload_keeps_process_rss_growth_under_50_mb(storage):
    if hasattr(storage, "bucket"):
        config = {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT": storage.endpoint,
            "S3_BUCKET": storage.bucket,
            "S3_ACCESS_KEY": os.environ["S3_ACCESS_KEY"],
            "S3_SECRET_KEY": os.environ["S3_SECRET_KEY"],
            "S3_REGION": storage.region,
        }
    else:
        config = {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_DIR": str(storage.root)}
    result = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, json.dumps(config), str(SIZE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["size"] == SIZE
    assert report["growth_kb"] < 50 * 1024, f"peak RSS grew by {report['growth_kb'] / 1024:.1f} MB"
