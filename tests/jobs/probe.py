"""A job for the tests of workers dying: its first run works for long (long enough to be killed),
a later run finishes at once. It says what it does in files of a folder the test gives."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.jobs import HEAVY, job


@job(queue=HEAVY, timeout=600, retry=(1, 5, 5))
def long_job(folder: str) -> str:
    marks = Path(folder)
    if not (marks / "started").exists():
        (marks / "started").write_text(str(os.getpid()))
        time.sleep(300)  # killed long before
    (marks / "finished").write_text(f"{os.getpid()} {time.time()}")
    return "finished"
