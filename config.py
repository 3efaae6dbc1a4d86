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
    # Indicators: the targets file (app/indicators/targets.yaml by default), the daily rollups of past
    # days (PostgreSQL) and how often the job refreshes them, and the longest open transaction a refresh
    # allows for.
    INDICATOR_TARGETS_FILE: str = _env("INDICATOR_TARGETS_FILE")
    INDICATOR_ROLLUPS: bool = _env_bool("INDICATOR_ROLLUPS", True)
    INDICATOR_ROLLUP_SECONDS: int = _env_int("INDICATOR_ROLLUP_SECONDS", 300)
    INDICATOR_DIRTY_MARGIN_SECONDS: int = _env_int("INDICATOR_DIRTY_MARGIN_SECONDS", 900)
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
    # Administrative structure over time (app/org/structure.py): levels top to bottom, and from a date
    # the levels that replace them. Default: three tiers until 30 Jun 2025, two tiers since 1 Jul 2025.
    # ORG_LEVELS alone (no ORG_PERIODS) is one structure for all time, e.g. the design card's three tiers.
    ORG_PERIODS: str = _env("ORG_PERIODS") or (
        "" if _env("ORG_LEVELS") else "province,district,commune;2025-07-01:province,commune"
    )
    # Every level of any period, top to bottom: set from ORG_PERIODS at start-up when that is given.
    ORG_LEVELS: list[str] = _env("ORG_LEVELS", "province,district,commune").split(",")
    WORKING_PERIODS: str = _env("WORKING_PERIODS", "07:00-11:00,13:00-17:00")
    SAME_DAY_CUTOFF: str = _env("SAME_DAY_CUTOFF", "15:00")
    TOKEN_TTL_HOURS: int = _env_int("TOKEN_TTL_HOURS", 12)
    # werkzeug's scrypt; the test suite sets a cheap method
    PASSWORD_HASH_METHOD: str = "scrypt"  # noqa: S105 (a hash method, not a password)
    # Absolute address citizens use (printed as the QR code on forms, used in e-mails); by default the
    # address `make run` serves on, port included (PORT).
    PUBLIC_BASE_URL: str = _env("PUBLIC_BASE_URL", f"http://127.0.0.1:{_env('PORT', '5000')}")

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

    # --- Dossiers filed on the National Public Service Portal (app/national) ----------------------------
    # How they come: "push" (the LGSP posts to /api/lgsp/v1/filings, signed with INBOUND_HMAC_KEY),
    # "poll" (this system asks INBOUND_POLL_URL every INBOUND_POLL_SECONDS), "push,poll", or empty (off).
    INBOUND_TRANSPORT: str = _env("INBOUND_TRANSPORT")
    INBOUND_HMAC_KEY: str = _env("INBOUND_HMAC_KEY")  # the LGSP signs pushes with it; secret
    INBOUND_MAX_AGE_SECONDS: int = _env_int("INBOUND_MAX_AGE_SECONDS", 300)  # older signatures: replays
    INBOUND_POLL_URL: str = _env("INBOUND_POLL_URL")
    INBOUND_POLL_SECONDS: int = _env_int("INBOUND_POLL_SECONDS", 30)
    INBOUND_POLL_BATCH: int = _env_int("INBOUND_POLL_BATCH", 100)
    # "national": the national dossier code is the dossier's code; "local": a local code is allocated
    # (the portal still gets its own code in every message back).
    INBOUND_DOSSIER_CODE: str = _env("INBOUND_DOSSIER_CODE", "national")
    # Localised procedure codes, form field and document names, unit codes the portal uses (YAML).
    NATIONAL_INBOUND_MAP: str = _env("NATIONAL_INBOUND_MAP", str(BASE_DIR / "app/national/national_map.yaml"))
    # Documents are fetched only from URLs starting with one of these (comma-separated); default: the
    # origins of NATIONAL_PORTAL_URL and INBOUND_POLL_URL.
    NATIONAL_FILE_URL_PREFIXES: str = _env("NATIONAL_FILE_URL_PREFIXES")
    INBOUND_FILE_TIMEOUT_SECONDS: float = float(_env("INBOUND_FILE_TIMEOUT_SECONDS", "30"))
    # The issuer recorded for identities the portal verified (default: OIDC_ISSUER, the same sign-on).
    INBOUND_IDENTITY_ISSUER: str = _env("INBOUND_IDENTITY_ISSUER")
    # A filing whose documents cannot be fetched is retried like a delivery, then given up.
    INBOUND_RETRY_HOURS: float = float(_env("INBOUND_RETRY_HOURS", "72"))
    INBOUND_BACKOFF_BASE_SECONDS: float = float(_env("INBOUND_BACKOFF_BASE_SECONDS", "10"))
    INBOUND_BACKOFF_MAX_SECONDS: float = float(_env("INBOUND_BACKOFF_MAX_SECONDS", "1800"))
    INBOUND_SWEEP_SECONDS: int = _env_int("INBOUND_SWEEP_SECONDS", 30)
    # --- end of national portal inbound settings --------------------------------------------------------

    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True

    # --- Sign-in safety (app/auth/throttle.py) -------------------------------------------------------
    # Number of reverse proxies in front of the app servers whose X-Forwarded-For / -Proto / -Host
    # are believed (Werkzeug ProxyFix): the client address used for per-address limits is the one the
    # nearest trusted proxy saw. 0 = the app servers are reached directly (the embedded default).
    TRUSTED_PROXIES: int = _env_int("TRUSTED_PROXIES", 0)
    # Where Flask-Limiter keeps its counters; unset: Redis when REDIS_URL is set, else process memory
    # (one process: the embedded default).
    RATELIMIT_STORAGE_URI: str = _env("RATELIMIT_STORAGE_URI")
    RATELIMIT_KEY_PREFIX: str = _env("RATELIMIT_KEY_PREFIX", "dossiers")
    # Per client address: failed sign-ins (and reset / sign-up requests) allowed per period.
    SIGNIN_ADDRESS_LIMIT: str = _env("SIGNIN_ADDRESS_LIMIT", "30 per minute;300 per hour")
    # Per client address: sign-up and password-reset requests (each sends an e-mail), whatever the answer.
    ACCOUNT_REQUEST_LIMIT: str = _env("ACCOUNT_REQUEST_LIMIT", "10 per hour")
    # Public pages anyone can call without an account (tracking a dossier by its code).
    PUBLIC_LOOKUP_LIMIT: str = _env("PUBLIC_LOOKUP_LIMIT", "60 per minute;600 per hour")
    # Staff second factor (TOTP): the issuer name shown in authenticator apps.
    TOTP_ISSUER: str = _env("TOTP_ISSUER", "Một cửa An Giang")
    # Password reset links sent by e-mail stay valid this long, and work once.
    PASSWORD_RESET_MINUTES: int = _env_int("PASSWORD_RESET_MINUTES", 30)
    # A citizen's sign-up is finished through a link sent by e-mail, valid this long.
    SIGNUP_LINK_HOURS: int = _env_int("SIGNUP_LINK_HOURS", 24)
    # Strict-Transport-Security max-age, sent in production on HTTPS requests (app/core/web.py).
    HSTS_SECONDS: int = _env_int("HSTS_SECONDS", 31_536_000)
    # --- end of sign-in settings ----------------------------------------------------------------------

    # --- Electronic identification (app/identity, app/representation) --------------------------------
    # VNeID / the national portal's single sign-on over OpenID Connect. No issuer = no VNeID sign-in
    # (make run points it at the demo identity provider, a development stand-in). The provider's
    # discovery document is read from <issuer>/.well-known/openid-configuration.
    OIDC_ISSUER: str = _env("OIDC_ISSUER").rstrip("/")
    OIDC_CLIENT_ID: str = _env("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET: str = _env("OIDC_CLIENT_SECRET")
    # Scopes asked for a person's and for an organisation's sign-in.
    OIDC_SCOPES: str = _env("OIDC_SCOPES", "openid profile email phone")
    OIDC_ORGANISATION_SCOPES: str = _env(
        "OIDC_ORGANISATION_SCOPES", "openid profile email phone organization"
    )
    # ID token signature algorithms accepted (never "none"); clock skew allowed on exp/iat, seconds.
    OIDC_ALGORITHMS: str = _env("OIDC_ALGORITHMS", "RS256,PS256,ES256")
    OIDC_LEEWAY_SECONDS: int = _env_int("OIDC_LEEWAY_SECONDS", 60)
    OIDC_TIMEOUT_SECONDS: float = float(_env("OIDC_TIMEOUT_SECONDS", "10"))
    # How long the discovery document and the keys (JWKS) are kept before being read again; a token
    # signed with a key not in the kept set makes the keys be read again at once (key rotation).
    OIDC_METADATA_SECONDS: int = _env_int("OIDC_METADATA_SECONDS", 3600)
    # Claim names of the provider's contract, as JSON overriding the defaults in app/identity/claims.py,
    # e.g. {"personal_id": "so_dinh_danh", "tax_code": "ma_so_thue"}.
    OIDC_CLAIM_NAMES: str = _env("OIDC_CLAIM_NAMES")
    # The lowest assurance level (VNeID level 2 since 1 Jul 2025) that may use online services.
    OIDC_MIN_ASSURANCE: int = _env_int("OIDC_MIN_ASSURANCE", 2)
    # Local password accounts for citizens (sign-up with a self-typed ID number): on only where a
    # province decides so. Off in production unless set; on in the embedded demo.
    CITIZEN_PASSWORD_ACCOUNTS: bool = _env_bool("CITIZEN_PASSWORD_ACCOUNTS", _env("APP_ENV") != "production")
    # Largest authorisation document (giấy ủy quyền) a principal may attach, in MB.
    AUTHORISATION_MAX_MB: int = _env_int("AUTHORISATION_MAX_MB", 10)
    # --- end of identification settings ---------------------------------------------------------------

    # --- Feedback and petitions (app/petitions) ------------------------------------------------------
    # Working days an answer may take when the administrator has set none (/admin/petitions).
    PETITION_DEADLINE_DAYS: int = _env_int("PETITION_DEADLINE_DAYS", 10)
    # Petitions filed without signing in, per client address (Flask-Limiter syntax).
    PETITION_ANONYMOUS_LIMIT: str = _env("PETITION_ANONYMOUS_LIMIT", "5 per hour;20 per day")
    # Agency code of the unit that receives what cannot be routed (default: the provincial one-stop centre).
    PETITION_FALLBACK_UNIT: str = _env("PETITION_FALLBACK_UNIT")
    # --- end of petition settings ---------------------------------------------------------------------

    # --- Payments (app/payments; the platform's contract: app/payments/platform.py) --------------------
    # The national payment platform: unset = no online payment (fees and obligations are paid at the
    # counter). `make run` points it at the simulator on loopback (app/payments/simulator.py).
    PAYMENT_PLATFORM_URL: str = _env("PAYMENT_PLATFORM_URL")
    PAYMENT_MERCHANT_CODE: str = _env("PAYMENT_MERCHANT_CODE", "MOTCUA-ANGIANG")
    PAYMENT_PLATFORM_KEY: str = _env("PAYMENT_PLATFORM_KEY")  # HMAC-SHA256 key the platform issued; secret
    # Where the platform confirms payments (server to server);
    # default <PUBLIC_BASE_URL>/api/v1/payments/platform/notify.
    PAYMENT_NOTIFY_URL: str = _env("PAYMENT_NOTIFY_URL")
    PAYMENT_TIMEOUT_SECONDS: float = float(_env("PAYMENT_TIMEOUT_SECONDS", "10"))
    PAYMENT_ORDER_MINUTES: int = _env_int("PAYMENT_ORDER_MINUTES", 15)  # a payment request's lifetime
    # The reconciliation job runs every PAYMENT_RECONCILE_SECONDS and asks the platform about online
    # payments pending for PAYMENT_QUERY_AFTER_SECONDS; pending after PAYMENT_EXPIRE_HOURS, they expire.
    PAYMENT_RECONCILE_SECONDS: int = _env_int("PAYMENT_RECONCILE_SECONDS", 300)
    PAYMENT_QUERY_AFTER_SECONDS: int = _env_int("PAYMENT_QUERY_AFTER_SECONDS", 900)
    PAYMENT_EXPIRE_HOURS: float = float(_env("PAYMENT_EXPIRE_HOURS", "24"))
    # The account shown in the counter's bank-transfer QR code ("Ngân hàng … - STK … - tên tài khoản").
    PAYMENT_TRANSFER_ACCOUNT: str = _env("PAYMENT_TRANSFER_ACCOUNT")
    # --- end of payment settings ----------------------------------------------------------------------

    # --- Electronic results (app/results) --------------------------------------------------------------
    # The issuing agency's key: a PKCS#12 file ("{unit}" = the issuing unit's code, one key per agency)
    # and its password, or an HSM through PKCS#11 (module library, token label, PIN, key and certificate
    # labels; "{unit}" allowed in the labels). RESULT_TEST_CA_DIR: a test certificate authority (flask
    # results make-test-ca) that issues each unit's key on first use; never in production.
    RESULT_SIGNING_PKCS12: str = _env("RESULT_SIGNING_PKCS12")
    RESULT_SIGNING_PASSWORD: str = _env("RESULT_SIGNING_PASSWORD")
    RESULT_SIGNING_PKCS11_MODULE: str = _env("RESULT_SIGNING_PKCS11_MODULE")
    RESULT_SIGNING_PKCS11_TOKEN: str = _env("RESULT_SIGNING_PKCS11_TOKEN")
    RESULT_SIGNING_PKCS11_PIN: str = _env("RESULT_SIGNING_PKCS11_PIN")
    RESULT_SIGNING_PKCS11_KEY: str = _env("RESULT_SIGNING_PKCS11_KEY", "{unit}")
    RESULT_SIGNING_PKCS11_CERT: str = _env("RESULT_SIGNING_PKCS11_CERT")
    RESULT_TEST_CA_DIR: str = _env("RESULT_TEST_CA_DIR")
    # No key configured: refuse to issue an electronic result (production default), or store the file
    # unsigned (it is then no original electronic result and is not counted as one).
    RESULT_SIGNING_REQUIRED: bool = _env_bool("RESULT_SIGNING_REQUIRED", _env("APP_ENV") == "production")
    # Trust list for signed uploads and the verification page: CA certificate files (PEM/DER), and CRLs.
    RESULT_TRUST_ROOTS: str = _env("RESULT_TRUST_ROOTS")
    RESULT_CRLS: str = _env("RESULT_CRLS")
    # An RFC 3161 time stamping authority; unset: the signing time is the signer's own claim.
    RESULT_TSA_URL: str = _env("RESULT_TSA_URL")
    RESULT_TSA_TIMEOUT_SECONDS: int = _env_int("RESULT_TSA_TIMEOUT_SECONDS", 10)
    # The public verification page: uploads per client address, and the largest file checked.
    RESULT_VERIFY_LIMIT: str = _env("RESULT_VERIFY_LIMIT", "20 per minute;200 per hour")
    RESULT_VERIFY_MAX_MB: int = _env_int("RESULT_VERIFY_MAX_MB", 50)
    # The citizens' personal data store (Kho quản lý dữ liệu điện tử); unset: nothing is pushed.
    # Retries follow the DELIVERY_* settings of the national portal.
    DATA_STORE_URL: str = _env("DATA_STORE_URL")
    DATA_STORE_TOKEN: str = _env("DATA_STORE_TOKEN")  # sent as Authorization: Bearer
    DATA_STORE_HMAC_KEY: str = _env("DATA_STORE_HMAC_KEY")  # or/also: X-Timestamp and X-Signature
    # --- end of electronic result settings ----------------------------------------------------------

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
    # Production sits behind one reverse proxy (README, "Production deployment") unless told otherwise.
    TRUSTED_PROXIES: int = _env_int("TRUSTED_PROXIES", 1)
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
