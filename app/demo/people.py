"""The applicants of the demo history (invented people with valid-looking citizen IDs) and the small
files they attach. Nothing here is a real person."""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import User
from app.demo.seed import _add_user

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Lâm", "Thạch", "Danh"]
MIDDLE = {"nam": ["Văn", "Minh", "Quốc", "Thanh", "Hữu"], "nu": ["Thị", "Ngọc", "Thu", "Kim", "Mỹ"]}
GIVEN = {
    "nam": ["An", "Bình", "Cường", "Dũng", "Hải", "Khang", "Lộc", "Phúc", "Sang", "Tài", "Toàn", "Vinh"],
    "nu": ["Anh", "Châu", "Diễm", "Hạnh", "Hoa", "Lan", "Linh", "My", "Nhung", "Thảo", "Trâm", "Yến"],
}
PLACES = [
    ("ấp Vĩnh Lợi", "xã Cần Đăng"),
    ("ấp Cần Thạnh", "xã Cần Đăng"),
    ("khu phố Vĩnh Thanh Vân", "phường Rạch Giá"),
    ("khu phố Rạch Sỏi", "phường Rạch Giá"),
    ("khu phố 1", "đặc khu Phú Quốc"),
    ("ấp Suối Mây", "đặc khu Phú Quốc"),
    ("khóm Mỹ Long", "phường Long Xuyên"),
    ("ấp Hòa Long", "xã An Châu"),
]
POOL_SIZE = 60


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    citizen_id: str
    phone: str
    email: str
    address: str


def _person(number: int) -> DemoPerson:
    rng = random.Random(f"demo-person:{number}")
    sex = rng.choice(("nam", "nu"))
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    born = rng.randrange(1960, 2004)
    century = (0 if born < 2000 else 2) + (1 if sex == "nu" else 0)
    province = rng.choice(("089", "091"))  # birth registered in An Giang / Kiên Giang
    citizen_id = f"{province}{century}{born % 100:02d}{rng.randrange(10**6):06d}"
    hamlet, commune = rng.choice(PLACES)
    return DemoPerson(
        username=f"dan.{number:03d}",
        full_name=name,
        citizen_id=citizen_id,
        phone=f"09{rng.randrange(10**8):08d}",
        email=f"dan.{number:03d}@example.vn",
        address=f"{hamlet}, {commune}, tỉnh An Giang",
    )


CITIZEN_POOL = [_person(n) for n in range(1, POOL_SIZE + 1)]


def ensure_citizens() -> None:
    """The pool's citizen accounts (demo password), once; flush only."""
    from app.extensions import db

    taken = set(db.session.scalars(select(User.citizen_id).where(User.citizen_id.is_not(None))))
    for person in CITIZEN_POOL:
        if person.citizen_id in taken:
            continue
        _add_user(
            person.username,
            "citizen",
            person.full_name,
            citizen_id=person.citizen_id,
            phone=person.phone,
            email=person.email,
            address=person.address,
        )
    db.session.flush()


def sample_pdf(note: str = "") -> bytes:
    """The smallest well-formed PDF (catalog, empty page tree, cross-reference table), told apart
    by a comment line."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n" + (b"% " + note.encode() + b"\n" if note else b""))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sample_png() -> bytes:
    """A one-pixel grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
