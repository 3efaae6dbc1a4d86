"""The keys results are signed with, and the trust list signed uploads are checked against.

Signing key of an issuing unit, by configuration:

- `RESULT_SIGNING_PKCS12`: a PKCS#12 file (key, certificate and its chain) with
  `RESULT_SIGNING_PASSWORD`; `{unit}` in the path is the issuing unit's code, so each agency signs
  with its own key (`/etc/dossiers/keys/{unit}.p12`);
- or an HSM through PKCS#11: `RESULT_SIGNING_PKCS11_MODULE` (the library), `…_TOKEN` (token label),
  `…_PIN`, `…_KEY` (key label, `{unit}` allowed) and `…_CERT` (certificate label, default the key
  label). Needs the `python-pkcs11` package; only the PKCS#12 path is exercised by the test suite;
- or, outside production, a test certificate authority (`RESULT_TEST_CA_DIR`, made by
  `flask results make-test-ca`): it issues each unit's key the first time that unit signs.

Trust list: the CA certificates of `RESULT_TRUST_ROOTS` (PEM or DER files, comma-separated), plus
the test CA when one is configured; `RESULT_CRLS` names CRL files checked for revocation. Nothing is
fetched from the network. Loaded signers are cached per file and modification time.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app

from app.core.errors import ServiceUnavailableError

CA_CERT, CA_KEY, UNITS_DIR = "ca.pem", "ca-key.pem", "units"
TEST_CA_NAME = "CA thử nghiệm (không dùng thật)"
_lock = threading.Lock()
_signers: dict[tuple[str, float], Any] = {}


class SigningUnavailableError(ServiceUnavailableError):
    """No key to sign with: the result cannot be issued as an original electronic result."""

    code = "signing_unavailable"


@dataclass(frozen=True)
class SigningSetup:
    """How the results of a unit would be signed; `kind` is "pkcs12", "pkcs11" or None (not set)."""

    kind: str | None
    where: str = ""


def setup_for(unit_code: str) -> SigningSetup:
    config = current_app.config
    if config.get("RESULT_SIGNING_PKCS11_MODULE"):
        return SigningSetup("pkcs11", config["RESULT_SIGNING_PKCS11_MODULE"])
    path = config.get("RESULT_SIGNING_PKCS12") or ""
    if not path and test_ca_dir() is not None:
        path = str(test_ca_dir() / UNITS_DIR / "{unit}.p12")
    return SigningSetup("pkcs12", path.replace("{unit}", unit_code)) if path else SigningSetup(None)


def is_configured() -> bool:
    config = current_app.config
    return bool(
        config.get("RESULT_SIGNING_PKCS11_MODULE") or config.get("RESULT_SIGNING_PKCS12") or test_ca_dir()
    )


def signer_for(unit_code: str, unit_name: str) -> Any:
    """The pyHanko signer of the unit's key; SigningUnavailableError (503) naming what is missing."""
    setup = setup_for(unit_code)
    if setup.kind is None:
        raise SigningUnavailableError(
            "Chưa cấu hình khóa ký số của cơ quan: không thể phát hành kết quả điện tử",
            {"result_file": "RESULT_SIGNING_PKCS12 / RESULT_SIGNING_PKCS11_MODULE"},
        )
    if setup.kind == "pkcs11":
        return _pkcs11_signer(unit_code)
    path = Path(setup.where)
    if not path.exists() and test_ca_dir() is not None:
        issue_unit_key(test_ca_dir(), unit_code, unit_name)
    if not path.exists():
        raise SigningUnavailableError(
            f"Chưa có khóa ký số của {unit_name}: không thể phát hành kết quả điện tử",
            {"result_file": str(path.name)},
        )
    return _pkcs12_signer(path)


def _pkcs12_signer(path: Path) -> Any:
    from pyhanko.sign import signers

    key = (str(path), path.stat().st_mtime)
    with _lock:
        if key not in _signers:
            password = (current_app.config.get("RESULT_SIGNING_PASSWORD") or "").encode() or None
            signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)
            if signer is None:
                raise SigningUnavailableError(
                    "Không đọc được khóa ký số của cơ quan (tệp PKCS#12 hoặc mật khẩu không đúng)",
                    {"result_file": path.name},
                )
            _signers[key] = signer
        return _signers[key]


def _pkcs11_signer(unit_code: str) -> Any:  # pragma: no cover - needs an HSM (see module docstring)
    from pyhanko.sign import pkcs11

    config = current_app.config
    key_label = (config.get("RESULT_SIGNING_PKCS11_KEY") or "{unit}").replace("{unit}", unit_code)
    session = pkcs11.open_pkcs11_session(
        config["RESULT_SIGNING_PKCS11_MODULE"],
        token_label=config.get("RESULT_SIGNING_PKCS11_TOKEN") or None,
        user_pin=config.get("RESULT_SIGNING_PKCS11_PIN") or None,
    )
    cert_label = (config.get("RESULT_SIGNING_PKCS11_CERT") or key_label).replace("{unit}", unit_code)
    return pkcs11.PKCS11Signer(session, cert_label=cert_label, key_label=key_label)


# --- trust list -----------------------------------------------------------------------------------


def _files(setting: str) -> list[Path]:
    return [Path(p.strip()) for p in (current_app.config.get(setting) or "").split(",") if p.strip()]


def trust_roots() -> list[Any]:
    """The trusted CA certificates (asn1crypto), from RESULT_TRUST_ROOTS and the test CA."""
    from pyhanko.keys import load_certs_from_pemder

    files = _files("RESULT_TRUST_ROOTS")
    if test_ca_dir() is not None and (test_ca_dir() / CA_CERT).exists():
        files.append(test_ca_dir() / CA_CERT)
    return [cert for path in files if path.exists() for cert in load_certs_from_pemder([str(path)])]


def crls() -> list[bytes]:
    found = []
    for path in _files("RESULT_CRLS"):
        data = path.read_bytes()
        if b"-----BEGIN" in data:
            data = x509.load_pem_x509_crl(data).public_bytes(serialization.Encoding.DER)
        found.append(data)
    return found


# --- the test certificate authority (development and tests only) --------------------------------


def test_ca_dir() -> Path | None:
    folder = current_app.config.get("RESULT_TEST_CA_DIR") or ""
    if not folder:
        return None
    if current_app.config.get("APP_ENV") == "production":
        raise SigningUnavailableError("RESULT_TEST_CA_DIR không được dùng khi APP_ENV=production")
    return Path(folder)


def _fit(text: str, limit: int = 64) -> str:
    """X.509 names hold at most 64 bytes of UTF-8 (Vietnamese letters take two or three)."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.strip()


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
        ]
    )


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write_once(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it exists (two processes creating it at once keep one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def make_test_ca(folder: Path, *, valid_days: int = 3650, name: str = TEST_CA_NAME) -> bool:
    """Create the test CA in `folder` (its certificate and key, an empty CRL) unless it exists;
    True when created."""
    if (folder / CA_CERT).exists():
        return False
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name, "Hệ thống một cửa điện tử")
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_once(folder / CA_KEY, key_pem)
    _write_once(folder / CA_CERT, cert.public_bytes(serialization.Encoding.PEM))
    return True


def _load_ca(folder: Path) -> tuple[x509.Certificate, Any]:
    cert = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
    key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), password=None)
    return cert, key


def issue_certificate(
    folder: Path,
    common_name: str,
    organisation: str,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[x509.Certificate, Any]:
    """A signing certificate of the test CA (and its new key)."""
    make_test_ca(folder)
    ca_cert, ca_key = _load_ca(folder)
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, ca=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def pkcs12_bytes(cert: x509.Certificate, key: Any, chain: list[x509.Certificate], password: str) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"result-signing", key, cert, chain, encryption)


def issue_unit_key(folder: Path, unit_code: str, unit_name: str) -> Path:
    """The unit's PKCS#12 file in the test CA (`units/<code>.p12`), issued unless it exists."""
    path = folder / UNITS_DIR / f"{unit_code}.p12"
    if path.exists():
        return path
    cert, key = issue_certificate(folder, unit_name, unit_name)
    ca_cert, _ = _load_ca(folder)
    password = current_app.config.get("RESULT_SIGNING_PASSWORD") or ""
    _write_once(path, pkcs12_bytes(cert, key, [ca_cert], password))
    return path
