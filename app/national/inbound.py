"""The whole mapping of dossiers filed on the National Public Service Portal and received through the
provincial integration platform (LGSP), in one module next to `messages.py` (the outbound mapping),
so a province can adjust it: field names, what each part holds, how times read.

A filing arrives as an envelope `{"MaBanTin", "LoaiBanTin": "NopHoSo", "DuLieu": {...}}`, pushed to
the signed endpoint or offered to the polling job (app.national.transport); `parse_envelope` checks it
against `schemas/inbound.schema.json` (JSON Schema 2020-12, no extra keys) and reads it into an
`InboundFiling`. `build_envelope` is the inverse, used by the portal simulator, so both sides of the
contract are written once.

`DuLieu`:

- `MaHoSo`: the national dossier code;
- `MaTTHC`: the localised procedure code (mapped to a procedure by app.national.catalogue);
- `MaDinhDanhDV`: agency code of the unit the applicant filed to;
- `NgayNopHoSo`: when it was filed on the portal, `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh;
- `TrichYeuHoSo`: the summary (trích yếu), or null;
- `ChuHoSo`: the applicant as the portal's electronic identification verified them: `LoaiDoiTuong`
  (1 a person, 2 an organisation), `HoVaTen`, `SoDinhDanh` (12 digits), `MaSoThue`,
  `NguoiDaiDien`, `SoDinhDanhNguoiDaiDien`, `NgaySinh` (`yyyyMMdd`), `SoDienThoai`, `Email`,
  `DiaChi`, `MucDoDinhDanh` (assurance level), `MaTaiKhoan` (the account's subject at the portal);
- `DuLieuToKhai`: the form, field name to value (names mapped per procedure, else the procedure's
  own keys);
- `TepDinhKem[]`: `MaThanhPhanHoSo` (document code), `TenTepDinhKem`, `DuongDanTaiTep` (where the
  portal serves it), `KichThuoc` (bytes), `MaBam` (SHA-256, hex).

Nothing here reads the database: the result is plain data the receiving service maps further.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from app.core.time import VN_TZ
from app.national.messages import SCHEMA_DIR, TIME_FORMAT, _problems

KIND = "NopHoSo"
PERSON, ORGANISATION = 1, 2
DATE_FORMAT = "%Y%m%d"


class InboundError(ValueError):
    """A filing that does not match the contract; `fields` maps each failing path to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__("; ".join(f"{path}: {message}" for path, message in fields.items()))


@dataclass(frozen=True)
class Applicant:
    name: str
    assurance_level: int
    is_organisation: bool = False
    personal_id: str | None = None
    tax_code: str | None = None
    representative_name: str | None = None
    representative_personal_id: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    subject: str | None = None  # the e-ID account at the portal


@dataclass(frozen=True)
class RemoteFile:
    code: str  # the portal's document code (MaThanhPhanHoSo)
    name: str
    url: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class InboundFiling:
    message_id: str
    national_code: str
    localised_code: str
    unit_code: str
    filed_at: datetime
    applicant: Applicant
    form: dict[str, Any] = field(default_factory=dict)
    files: tuple[RemoteFile, ...] = ()
    summary: str | None = None
    procedure_name: str | None = None


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "inbound.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_envelope(document: Any) -> None:
    """Raise InboundError naming every failing field path unless `document` matches the schema."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    problems = dict(problem for error in errors for problem in _problems(error))
    if problems:
        raise InboundError(problems)


def parse_time(value: str, path: str) -> datetime:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=VN_TZ)
    except ValueError as exc:
        raise InboundError({path: "not a yyyyMMddHHmmss time"}) from exc


def _parse_date(value: str | None, path: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, DATE_FORMAT).date()
    except ValueError as exc:
        raise InboundError({path: "not a yyyyMMdd date"}) from exc


def _applicant(data: dict[str, Any]) -> Applicant:
    organisation = data["LoaiDoiTuong"] == ORGANISATION
    number = "ChuHoSo.MaSoThue" if organisation else "ChuHoSo.SoDinhDanh"
    if not data.get(number.split(".")[1]):
        raise InboundError({number: "required"})
    return Applicant(
        name=" ".join(data["HoVaTen"].split()),
        assurance_level=data["MucDoDinhDanh"],
        is_organisation=organisation,
        personal_id=None if organisation else data["SoDinhDanh"],
        tax_code=data.get("MaSoThue") if organisation else None,
        representative_name=data.get("NguoiDaiDien"),
        representative_personal_id=data.get("SoDinhDanhNguoiDaiDien"),
        birth_date=_parse_date(data.get("NgaySinh"), "ChuHoSo.NgaySinh"),
        phone=data.get("SoDienThoai") or None,
        email=data.get("Email") or None,
        address=data.get("DiaChi") or None,
        subject=data.get("MaTaiKhoan") or None,
    )


def parse_envelope(document: Any) -> InboundFiling:
    """The filing an envelope carries; InboundError (every failing path) if it breaks the contract."""
    check_envelope(document)
    data = document["DuLieu"]
    return InboundFiling(
        message_id=document["MaBanTin"],
        national_code=data["MaHoSo"],
        localised_code=data["MaTTHC"].strip(),
        unit_code=data["MaDinhDanhDV"].strip(),
        filed_at=parse_time(data["NgayNopHoSo"], "DuLieu.NgayNopHoSo"),
        applicant=_applicant(data["ChuHoSo"]),
        form=dict(data["DuLieuToKhai"]),
        files=tuple(
            RemoteFile(
                f["MaThanhPhanHoSo"],
                f["TenTepDinhKem"],
                f["DuongDanTaiTep"],
                f.get("KichThuoc"),
                f.get("MaBam"),
            )
            for f in data["TepDinhKem"]
        ),
        summary=data.get("TrichYeuHoSo") or None,
        procedure_name=data.get("TenTTHC") or None,
    )


def national_code_of(document: Any) -> str | None:
    """The national dossier code of an envelope, read before (or without) the full check, so that a
    filing that breaks the contract can still be named in the answer and the logs."""
    data = document.get("DuLieu") if isinstance(document, dict) else None
    code = data.get("MaHoSo") if isinstance(data, dict) else None
    return code if isinstance(code, str) and 0 < len(code) <= 40 else None


def form_data(filing: InboundFiling, names: dict[str, str]) -> dict[str, Any]:
    """The form with the portal's field names mapped to the procedure's keys (`names`: portal name
    -> key; a name not listed is taken as the key itself). Empty values are left out."""
    return {names.get(key, key): value for key, value in filing.form.items() if value not in (None, "")}


# --- the national side: what the portal sends (the simulator uses it) ----------------------------


def build_envelope(filing: InboundFiling) -> dict[str, Any]:
    """The envelope the portal sends for `filing`; it passes `check_envelope`."""
    applicant = filing.applicant
    document = {
        "MaBanTin": filing.message_id,
        "LoaiBanTin": KIND,
        "DuLieu": {
            "MaHoSo": filing.national_code,
            "MaTTHC": filing.localised_code,
            "TenTTHC": filing.procedure_name,
            "MaDinhDanhDV": filing.unit_code,
            "NgayNopHoSo": filing.filed_at.astimezone(VN_TZ).strftime(TIME_FORMAT),
            "TrichYeuHoSo": filing.summary,
            "ChuHoSo": {
                "LoaiDoiTuong": ORGANISATION if applicant.is_organisation else PERSON,
                "HoVaTen": applicant.name,
                "SoDinhDanh": applicant.personal_id,
                "MaSoThue": applicant.tax_code,
                "NguoiDaiDien": applicant.representative_name,
                "SoDinhDanhNguoiDaiDien": applicant.representative_personal_id,
                "NgaySinh": applicant.birth_date.strftime(DATE_FORMAT) if applicant.birth_date else None,
                "SoDienThoai": applicant.phone,
                "Email": applicant.email,
                "DiaChi": applicant.address,
                "MucDoDinhDanh": applicant.assurance_level,
                "MaTaiKhoan": applicant.subject,
            },
            "DuLieuToKhai": dict(filing.form),
            "TepDinhKem": [
                {
                    "MaThanhPhanHoSo": f.code,
                    "TenTepDinhKem": f.name,
                    "DuongDanTaiTep": f.url,
                    "KichThuoc": f.size,
                    "MaBam": f.sha256,
                }
                for f in filing.files
            ],
        },
    }
    check_envelope(document)
    return document
