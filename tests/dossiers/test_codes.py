"""Dossier codes: <receiving unit code>-YYMMDD-XXXX, unique and gap-free per unit and day."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.core.time import to_local
from app.dossiers.codes import format_code
from app.dossiers.models import Dossier
from app.extensions import db
from tests.factories import submit


@pytest.mark.parametrize(
    ("unit", "day", "serial", "expected"),
    [
        ("000.00.01.H01", date(2026, 11, 27), 7, "000.00.01.H01-261127-0007"),
        ("000.21.30.H01", date(2027, 1, 2), 1, "000.21.30.H01-270102-0001"),
        ("000.21.30.H01", date(2027, 1, 2), 12345, "000.21.30.H01-270102-12345"),
    ],
)
def test_code_format(unit, day, serial, expected):
    assert format_code(unit, day, serial) == expected


@pytest.mark.committed  # threads of its own, each with its own connection
def test_two_hundred_concurrent_submissions_get_distinct_gap_free_codes(app, make_user):
    citizens = [make_user("citizen") for _ in range(4)]
    citizen_ids = [c.id for c in citizens]
    from app.procedures import get_registry

    birth = next(p.code for p in get_registry().all() if p.source_file.endswith("birth_registration.yaml"))
    db.session.commit()
    barrier = threading.Barrier(200)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        with app.app_context():
            from app.auth.models import User

            citizen = db.session.get(User, citizen_ids[index % 4])
            db.session.rollback()  # give the connection back: 200 threads share a smaller pool
            barrier.wait()
            try:
                submit(citizen, birth)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    codes = db.session.scalars(select(Dossier.code)).all()
    prefix = f"000.21.30.H01-{to_local(utcnow()):%y%m%d}-"
    assert sorted(codes) == [f"{prefix}{n:04d}" for n in range(1, 201)]


def test_each_receiving_unit_counts_from_one(make_user):
    from app.procedures import get_registry

    birth = next(p.code for p in get_registry().all() if p.source_file.endswith("birth_registration.yaml"))
    citizen = make_user("citizen")
    first = submit(citizen, birth, unit_code="000.21.30.H01")
    other = submit(citizen, birth, unit_code="000.22.30.H01")
    second = submit(citizen, birth, unit_code="000.21.30.H01")
    assert (first.code[-4:], other.code[-4:], second.code[-4:]) == ("0001", "0001", "0002")
