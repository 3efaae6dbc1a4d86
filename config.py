"""Typed configuration. Defaults are the embedded development setup; environment overrides.

Production (``APP_ENV=production``) refuses to start without a secret key and its service URLs.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    APP_ENV: str = _env("APP_ENV", "development")
    SECRET_KEY: str = _env("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI: str = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'app.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Jobs: with no REDIS_URL, jobs run in-process right after commit (embedded default).
    REDIS_URL: str = _env("REDIS_URL")
    RQ_QUEUE: str = _env("RQ_QUEUE", "dossiers")  # prefix of the queues <prefix>-quick, <prefix>-heavy
    # Periodic sweeps re-enqueue work left undone (a push lost while Redis was down, retries run
    # out): every SWEEP_SECONDS, for work older than SWEEP_AFTER_SECONDS.
    SWEEP_SECONDS: int = _env_int("SWEEP_SECONDS", 30)
    SWEEP_AFTER_SECONDS: int = _env_int("SWEEP_AFTER_SECONDS", 60)
    # A submission sent again with the same Idempotency-Key within this many hours gets the first
    # answer back instead of a second dossier.
    IDEMPOTENCY_KEY_HOURS: int = _env_int("IDEMPOTENCY_KEY_HOURS", 24)
    # Statistics (dashboard, API): the longest period one request may span, and the time any one of
    # its SQL statements may take before it is stopped (a 503 asking to narrow the scope).
    STATS_MAX_PERIOD_DAYS: int = _env_int("STATS_MAX_PERIOD_DAYS", 1100)
    STATS_STATEMENT_TIMEOUT_MS: int = _env_int("STATS_STATEMENT_TIMEOUT_MS", 10_000)
    # Near-due / overdue alerts to the acting unit's leaders: one scan every this many minutes.
    ALERT_SCAN_MINUTES: int = _env_int("ALERT_SCAN_MINUTES", 15)
    # Tamper-evident history: the whole event log is anchored every AUDIT_ANCHOR_MINUTES, signed with
    # a key derived from AUDIT_KEY (SECRET_KEY when unset); keep AUDIT_KEY apart from the database.
    AUDIT_KEY: str = _env("AUDIT_KEY")
    AUDIT_ANCHOR_MINUTES: int = _env_int("AUDIT_ANCHOR_MINUTES", 60)

    # Attachments: "local" (folder) or "s3" (MinIO / SeaweedFS through the minio SDK).
    STORAGE_BACKEND: str = _env("STORAGE_BACKEND", "s3" if _env("S3_ENDPOINT") else "local")
    STORAGE_LOCAL_DIR: str = _env("STORAGE_LOCAL_DIR", str(INSTANCE_DIR / "attachments"))
    S3_ENDPOINT: str = _env("S3_ENDPOINT")  # host:port, no scheme
    S3_ACCESS_KEY: str = _env("S3_ACCESS_KEY")
    S3_SECRET_KEY: str = _env("S3_SECRET_KEY")
    S3_BUCKET: str = _env("S3_BUCKET", "dossiers")
    S3_SECURE: bool = _env_bool("S3_SECURE", False)
    S3_REGION: str = _env("S3_REGION", "us-east-1")
    DOWNLOAD_URL_SECONDS: int = _env_int("DOWNLOAD_URL_SECONDS", 300)
    # Upload checks (app/storage/sniff.py): an image whose header declares more pixels is refused
    # before anything decodes it. CLAMD_SOCKET (a Unix socket path) turns on the virus scan of every
    # upload through clamd; unset = no scan. A configured clamd that does not answer refuses uploads.
    UPLOAD_MAX_IMAGE_PIXELS: int = _env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000)
    CLAMD_SOCKET: str = _env("CLAMD_SOCKET")
    CLAMD_TIMEOUT_SECONDS: float = float(_env("CLAMD_TIMEOUT_SECONDS", "60"))
    # Orphan sweep: objects no row names and incomplete multipart uploads older than the grace
    # period are deleted, every STORAGE_ORPHAN_SWEEP_HOURS.
    STORAGE_ORPHAN_GRACE_HOURS: float = float(_env("STORAGE_ORPHAN_GRACE_HOURS", "24"))
    STORAGE_ORPHAN_SWEEP_HOURS: float = float(_env("STORAGE_ORPHAN_SWEEP_HOURS", "6"))

    MAX_CONTENT_LENGTH: int = _env_int("MAX_UPLOAD_MB", 250) * 1024 * 1024

    WORKFLOWS_DIR: str = _env("WORKFLOWS_DIR", str(BASE_DIR / "workflows"))
    TIMEZONE: str = "Asia/Ho_Chi_Minh"
    # Administrative levels, top to bottom. Two-tier provinces set "province,commune".
    ORG_LEVELS: list[str] = _env("ORG_LEVELS", "province,district,commune").split(",")
    WORKING_PERIODS: str = _env("WORKING_PERIODS", "07:00-11:00,13:00-17:00")
    SAME_DAY_CUTOFF: str = _env("SAME_DAY_CUTOFF", "15:00")
    TOKEN_TTL_HOURS: int = _env_int("TOKEN_TTL_HOURS", 12)
    # werkzeug's scrypt; the test suite sets a cheap method
    PASSWORD_HASH_METHOD: str = "scrypt"  # noqa: S105 (a hash method, not a password)
    # Absolute address citizens use (printed as the QR code on forms, used in e-mails).
    PUBLIC_BASE_URL: str = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    # E-mail: with no MAIL_SERVER, messages are written to the log instead of sent.
    MAIL_SERVER: str = _env("MAIL_SERVER")
    MAIL_PORT: int = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS: bool = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME: str = _env("MAIL_USERNAME")
    MAIL_PASSWORD: str = _env("MAIL_PASSWORD")
    MAIL_SENDER: str = _env("MAIL_SENDER", "Một cửa An Giang <no-reply@angiang.example.vn>")
    # SMS: "log" until a gateway is configured.
    SMS_BACKEND: str = _env("SMS_BACKEND", "log")

    # --- Delivery of dossier events (app/sync) --------------------------------------------------------
    # National Public Service Portal (via the provincial LGSP): empty URL = sync disabled.
    NATIONAL_PORTAL_URL: str = _env("NATIONAL_PORTAL_URL")
    NATIONAL_PORTAL_TOKEN: str = _env("NATIONAL_PORTAL_TOKEN")  # sent as Authorization: Bearer
    NATIONAL_PORTAL_HMAC_KEY: str = _env("NATIONAL_PORTAL_HMAC_KEY")  # or: sign the body (X-Signature)
    NATIONAL_CHANNEL_FIELD: str = _env("NATIONAL_CHANNEL_FIELD", "KenhNopHoSo")
    # Retries: exponential backoff with jitter, then `dead` after DELIVERY_RETRY_HOURS of failures.
    DELIVERY_RETRY_HOURS: float = float(_env("DELIVERY_RETRY_HOURS", "72"))
    DELIVERY_BACKOFF_BASE_SECONDS: float = float(_env("DELIVERY_BACKOFF_BASE_SECONDS", "10"))
    DELIVERY_BACKOFF_MAX_SECONDS: float = float(_env("DELIVERY_BACKOFF_MAX_SECONDS", "1800"))
    DELIVERY_TIMEOUT_SECONDS: float = float(_env("DELIVERY_TIMEOUT_SECONDS", "10"))
    # A claimed delivery whose worker died is taken over once its lease (timeout + this) has passed.
    DELIVERY_LEASE_MARGIN_SECONDS: float = float(_env("DELIVERY_LEASE_MARGIN_SECONDS", "30"))
    DELIVERY_SWEEP_SECONDS: float = float(_env("DELIVERY_SWEEP_SECONDS", "30"))
    # --- end of delivery settings -------------------------------------------------------------------

    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True

    API_TITLE = "Hệ thống một cửa điện tử - API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/static/swagger-ui/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Mã từ POST /api/v1/auth/token, gửi 'Authorization: Bearer <token>'",
                }
            }
        }
    }
    JSON_SORT_KEYS = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")

    @classmethod
    def check(cls) -> None:
        missing = [name for name in cls.REQUIRED if not os.environ.get(name)]
        if missing:
            raise RuntimeError("production configuration is missing: " + ", ".join(missing))


def load_config() -> type[Config]:
    if os.environ.get("APP_ENV") == "production":
        ProductionConfig.check()
        return ProductionConfig
    return Config
