"""Configuration classes, read from the environment (and `.env` through python-dotenv)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

REGISTRATION_MODES = ("open", "approval", "closed")
MAIL_SECURITIES = ("none", "starttls", "ssl")
UPDATE_CHANNELS = ("stable", "beta")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """The configuration cannot start the application."""


Names = str | tuple[str, ...]


def first_set(names: Names) -> tuple[str, str] | None:
    """The first of these environment variables that is set to something other than blanks,
    as (name, value); None when none is. Our own name comes first and the Finora seed's
    aliases after it, so ours wins when both are set."""
    for name in (names,) if isinstance(names, str) else names:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return name, value
    return None


def _str(names: Names, default: str = "") -> str:
    found = first_set(names)
    return found[1].strip() if found else default


def _bool(names: Names, default: bool = False) -> bool:
    found = first_set(names)
    if found is None:
        return default
    return found[1].strip().lower() in {"1", "true", "yes", "on"}


def _int(names: Names, default: int) -> int:
    found = first_set(names)
    if found is None:
        return default
    name, value = found
    try:
        return int(value.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value.strip()!r}.") from exc


def mail_security_from_seed() -> str | None:
    """MAIL_SECURITY from the Finora seed's MAIL_USE_SSL/MAIL_USE_TLS (Flask-Mail's names):
    "ssl" or "starttls" for the one that is on, "none" only when MAIL_USE_TLS is set off
    (an MAIL_USE_SSL=0 alone keeps the default, STARTTLS); None when neither is set. Both
    on is a contradiction, refused."""
    ssl_on = _bool("MAIL_USE_SSL")
    tls_on = _bool("MAIL_USE_TLS")
    if ssl_on and tls_on:
        raise ConfigError(
            "MAIL_USE_TLS and MAIL_USE_SSL are both on, but a connection uses one of them: "
            "turn one off, or set MAIL_SECURITY to starttls (port 587) or ssl (port 465)."
        )
    if ssl_on:
        return "ssl"
    if tls_on:
        return "starttls"
    if first_set("MAIL_USE_TLS") is not None:
        return "none"
    return None


def sql_log_level(value: str, log_sql: bool) -> str:
    """The sqlalchemy.engine logger's level: SQLALCHEMY_LOG_LEVEL when set, else INFO (every
    statement) with LOG_SQL on and WARNING without."""
    level = value.strip().upper()
    if not level:
        return "INFO" if log_sql else "WARNING"
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"SQLALCHEMY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; got {value.strip()!r}."
        )
    return level


def data_dir() -> Path:
    """The directory that holds the SQLite file, logs and generated secrets."""
    return Path(os.environ.get("FINORA_DATA_DIR") or BASE_DIR / "data").resolve()


def normalise_database_url(url: str) -> str:
    """Pick the drivers Finora ships with for the plain URLs people usually write."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    for prefix in ("mysql://", "mariadb://", "mariadb+pymysql://"):
        if url.startswith(prefix):
            url = "mysql+pymysql://" + url[len(prefix) :]
            break
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


def _origin(scheme: str, host: str | None, port: int | None) -> str:
    """An origin as browsers write it: lower case, no default port."""
    scheme = scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    suffix = f":{port}" if port and port != default else ""
    return f"{scheme}://{(host or '').lower()}{suffix}"


# Addresses that mean "this machine" (or every interface of it) rather than a name others
# can reach: the default APP_BASE_URL says localhost for them.
_LOCAL_BIND_HOSTS = {"", "0.0.0.0", "::", "[::]", "localhost"}  # noqa: S104 - compared, not bound


def default_base_url(host: str, port: int) -> str:
    """APP_BASE_URL when it is not set: where `python app.py` (FINORA_HOST/FINORA_PORT)
    serves. A wildcard or loopback address becomes `localhost`, which browsers treat as a
    secure context and accept as a passkey relying party (an IP address is neither); any
    other host (a name, or a LAN address) is used as it is, so links work from elsewhere."""
    host = host.strip().lower()
    if host in _LOCAL_BIND_HOSTS:
        return f"http://localhost:{port}"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_loopback or address.is_unspecified:
        return f"http://localhost:{port}"
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def passkey_obstacle(rp_id: str, origin: str) -> str | None:
    """Why browsers will refuse passkeys for this relying-party id and origin, or None:
    "ip-address" (an IP address is never a valid RP id), "insecure" (plain http is a secure
    context only on localhost), "mismatch" (the RP id must be the origin's host or a parent
    domain of it)."""
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    rp_id = rp_id.strip().lower()
    try:
        ipaddress.ip_address(rp_id.strip("[]"))
    except ValueError:
        pass
    else:
        return "ip-address"
    if not rp_id or not host:
        return "mismatch"
    local = host == "localhost" or host.endswith(".localhost")
    if parts.scheme.lower() != "https" and not local:
        return "insecure"
    if host != rp_id and not host.endswith("." + rp_id):
        return "mismatch"
    return None


def private_dir(path: Path) -> Path:
    """Make a directory for Finora's own files, owner-only (0700) when it is created here:
    another account on the machine must not list or read the database, logs or secrets."""
    if not path.is_dir():
        # The mode applies to the last directory only; a umask can only take bits away.
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory ones."""
    if not url.startswith("sqlite:///"):
        return None
    name = url[len("sqlite:///") :].split("?", 1)[0]
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it exists. SQLite gives its
    -wal and -shm files the mode of the database file, so they stay owner-only too."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _local_secret(directory: Path, name: str) -> str:
    """Read a secret kept in the data directory, creating it once (local runs only)."""
    path = directory / name
    if path.exists():
        return path.read_text().strip()
    private_dir(directory)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


class Config:
    """Settings shared by every environment; each value can come from the environment."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        self.DATA_DIR = data_dir()
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.APP_SECRET = os.environ.get("APP_SECRET", "")
        default_db = f"sqlite:///{self.DATA_DIR / 'finora.db'}"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SQLALCHEMY_RECORD_QUERIES = False
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
        self.LOG_SQL = _bool("LOG_SQL")
        # The level of the sqlalchemy.engine logger (DEBUG also logs result rows); empty:
        # INFO with LOG_SQL, else WARNING (decided in finalise(), after overrides).
        self.SQLALCHEMY_LOG_LEVEL = _str("SQLALCHEMY_LOG_LEVEL")
        self.LOG_TO_FILE = _bool("LOG_TO_FILE", True)
        # The rotating log file: LOG_DIR/LOG_FILE (empty LOG_DIR: <DATA_DIR>/logs, decided in
        # finalise()). The second name of each pair is the Finora seed's; ours wins.
        self.LOG_DIR = _str(("LOG_DIR", "LOG_DIRECTORY")) or None
        self.LOG_FILE = _str(("LOG_FILE", "LOG_FILE_NAME"), "finora.log")
        self.LOG_FILE_MAX_BYTES = _int(("LOG_FILE_MAX_BYTES", "LOG_MAX_BYTES"), 5 * 1024 * 1024)
        self.LOG_FILE_BACKUP_COUNT = _int(("LOG_FILE_BACKUP_COUNT", "LOG_BACKUP_COUNT"), 5)
        self.SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", True)
        self.SCHEDULER_TICK_SECONDS = _int("SCHEDULER_TICK_SECONDS", 60)
        # Minimum time between two runs of a job (0: each job's own, 15 minutes for posting).
        self.SCHEDULER_JOB_INTERVAL_SECONDS = _int("SCHEDULER_JOB_INTERVAL_SECONDS", 0)
        # The years a date may fall in (forms, CSV import, API): 1900-01-01 to 2199-12-31.
        self.DATE_MIN_YEAR = _int("DATE_MIN_YEAR", 1900)
        self.DATE_MAX_YEAR = _int("DATE_MAX_YEAR", 2199)
        if not 1 <= self.DATE_MIN_YEAR <= self.DATE_MAX_YEAR <= 9998:
            raise ConfigError("DATE_MIN_YEAR must not be after DATE_MAX_YEAR (years 1 to 9998).")
        # Import (docs/import.md): the interactive flow's limits; `flask finora import` has
        # no row limit. Cells and columns cap what a spreadsheet may unfold into memory.
        self.IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
        self.IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 20_000)
        self.IMPORT_MAX_COLUMNS = _int("IMPORT_MAX_COLUMNS", 100)
        self.IMPORT_MAX_CELLS = _int("IMPORT_MAX_CELLS", 2_000_000)
        # The most entries one PDF export lays out (CSV and XLSX have no limit).
        self.EXPORT_PDF_MAX_ENTRIES = _int("EXPORT_PDF_MAX_ENTRIES", 20_000)
        # Backups (docs/backups.md): where archives are kept (one folder per household and
        # instance/), how many scheduled ones a new schedule keeps, whether the scheduler
        # makes them, and the largest archive a restore accepts by upload.
        # Empty: <DATA_DIR>/backups, decided in finalise() once overrides are applied.
        self.BACKUP_STORAGE_DIR = _str("BACKUP_STORAGE_DIR") or None
        self.BACKUP_DEFAULT_RETENTION_COUNT = _int("BACKUP_DEFAULT_RETENTION_COUNT", 20)
        if not 1 <= self.BACKUP_DEFAULT_RETENTION_COUNT <= 100:
            raise ConfigError("BACKUP_DEFAULT_RETENTION_COUNT must be from 1 to 100.")
        self.ENABLE_BACKUP_SCHEDULER = _bool("ENABLE_BACKUP_SCHEDULER", True)
        self.BACKUP_MAX_UPLOAD_BYTES = _int("BACKUP_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
        # Updates (docs/updates.md): the release channel (stable, or beta for pre-releases
        # too), the remote manifest (empty: only the bundled updates/manifest.json), how long
        # a fetch may take, whether a manifest may name local files, the release public key
        # (empty: the one shipped in updates/release-key.pub), and the apply's limits.
        self.UPDATE_CHANNEL = os.environ.get("UPDATE_CHANNEL", "").strip().lower() or "stable"
        self.UPDATE_MANIFEST_URL = os.environ.get("UPDATE_MANIFEST_URL", "").strip()
        self.UPDATE_CHECK_TIMEOUT_SECONDS = _int("UPDATE_CHECK_TIMEOUT_SECONDS", 10)
        self.UPDATE_ALLOW_LOCAL_ASSETS = _bool("UPDATE_ALLOW_LOCAL_ASSETS")
        self.UPDATE_PUBLIC_KEY = os.environ.get("UPDATE_PUBLIC_KEY", "").strip()
        self.UPDATE_MIGRATION_TIMEOUT_SECONDS = _int("UPDATE_MIGRATION_TIMEOUT_SECONDS", 600)
        self.UPDATE_MAX_PACKAGE_BYTES = _int("UPDATE_MAX_PACKAGE_BYTES", 200 * 1024 * 1024)
        self.UPDATE_MAX_FILES = _int("UPDATE_MAX_FILES", 20_000)
        self.UPDATE_MAX_UNPACKED_BYTES = _int("UPDATE_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
        # The folder the code lives in (app.py's): what an update replaces. Not read from
        # the environment; tests point it at a copy.
        self.CODE_DIR = BASE_DIR
        # Set by the Dockerfile: updates are checked and reported, never applied in place.
        self.FINORA_IN_CONTAINER = _bool("FINORA_IN_CONTAINER")
        # /metrics answers loopback callers that came through no proxy, or a bearer token.
        self.METRICS_ENABLED = _bool("METRICS_ENABLED", True)
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
        # The address people write to for help (the profile's status area); empty: the
        # global administrator's.
        self.ADMIN_CONTACT_EMAIL = os.environ.get("ADMIN_CONTACT_EMAIL", "").strip()
        # The REST API (docs/api.md): how long a bearer token lives, the largest JSON body.
        self.API_TOKEN_TTL_DAYS = _int("API_TOKEN_TTL_DAYS", 30)
        if not 1 <= self.API_TOKEN_TTL_DAYS <= 365:
            raise ConfigError("API_TOKEN_TTL_DAYS must be from 1 to 365.")
        self.API_MAX_BODY_BYTES = _int("API_MAX_BODY_BYTES", 2 * 1024 * 1024)
        # One-click demo (docs/demo.md): off unless asked for (`make run` turns it on).
        self.DEMO_MODE_ENABLED = _bool("DEMO_MODE_ENABLED", False)
        self.DEMO_TTL_HOURS = _int("DEMO_TTL_HOURS", 24)
        if not 1 <= self.DEMO_TTL_HOURS <= 24 * 30:
            raise ConfigError("DEMO_TTL_HOURS must be from 1 to 720.")
        self.DEMO_MAX_ACTIVE = _int("DEMO_MAX_ACTIVE", 50)
        self.DEMO_RATE_LIMIT = os.environ.get("DEMO_RATE_LIMIT", "5 per hour").strip() or "5 per hour"
        # E-mail balance import (docs/email-import.md): how often the scheduler reads the
        # mailboxes, and how long the mail server may take to answer (each step of one IMAP
        # conversation).
        self.EMAIL_IMPORT_INTERVAL_MINUTES = _int("EMAIL_IMPORT_INTERVAL_MINUTES", 1)
        if not 1 <= self.EMAIL_IMPORT_INTERVAL_MINUTES <= 24 * 60:
            raise ConfigError("EMAIL_IMPORT_INTERVAL_MINUTES must be from 1 to 1440.")
        self.EMAIL_IMPORT_TIMEOUT_SECONDS = _int("EMAIL_IMPORT_TIMEOUT_SECONDS", 20)
        if not 1 <= self.EMAIL_IMPORT_TIMEOUT_SECONDS <= 300:
            raise ConfigError("EMAIL_IMPORT_TIMEOUT_SECONDS must be from 1 to 300.")
        # A PEM file of the certificate authorities mail servers' certificates are checked
        # against; empty: the system's. Certificates are always verified.
        self.EMAIL_IMPORT_CA_FILE = os.environ.get("EMAIL_IMPORT_CA_FILE", "").strip()
        # AI insights (docs/ai-insights.md): the model when a household leaves it blank, how
        # long a request may take, how often a household may ask again.
        self.AI_DEFAULT_MODEL = os.environ.get("AI_DEFAULT_MODEL", "gpt-4o-mini").strip() or "gpt-4o-mini"
        self.AI_REQUEST_TIMEOUT_SECONDS = _int("AI_REQUEST_TIMEOUT_SECONDS", 30)
        self.AI_REFRESH_COOLDOWN_MINUTES = _int("AI_REFRESH_COOLDOWN_MINUTES", 120)
        if self.AI_REFRESH_COOLDOWN_MINUTES < 0:
            raise ConfigError("AI_REFRESH_COOLDOWN_MINUTES must be 0 or more.")
        # An upload waits this long between the steps before it is thrown away.
        self.IMPORT_STAGING_HOURS = _int("IMPORT_STAGING_HOURS", 24)
        self.REGISTRATION_MODE = os.environ.get("REGISTRATION_MODE", "approval").strip().lower()
        self.BOOTSTRAP_ADMIN_EMAIL = os.environ.get("BOOTSTRAP_ADMIN_EMAIL", "").strip()
        self.BOOTSTRAP_ADMIN_PASSWORD = os.environ.get("BOOTSTRAP_ADMIN_PASSWORD", "")
        # Local runs only (never in production): `flask finora bootstrap` and a bare
        # `python app.py` create this active user with a household
        # (finora/services/people/default_user.py).
        self.ENABLE_DEFAULT_USER_SEED = _bool("ENABLE_DEFAULT_USER_SEED")
        self.DEFAULT_USER_EMAIL = _str("DEFAULT_USER_EMAIL")
        self.DEFAULT_USER_NAME = _str("DEFAULT_USER_NAME")
        self.DEFAULT_USER_PASSWORD = os.environ.get("DEFAULT_USER_PASSWORD", "")
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        # The proxies (addresses or networks, comma-separated, or *) whose X-Forwarded-*
        # headers count when TRUSTED_PROXIES is set; gunicorn reads the same variable.
        self.FORWARDED_ALLOW_IPS = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
        # How long before a session timeout the page warns (with "Stay signed in").
        self.SESSION_WARNING_SECONDS = _int("SESSION_WARNING_SECONDS", 60)
        # Where `python app.py` (and `make run`) listens.
        self.FINORA_HOST = os.environ.get("FINORA_HOST", "").strip() or "127.0.0.1"
        self.FINORA_PORT = _int("FINORA_PORT", 5000)
        # A desktop `python app.py` run from a terminal opens the browser once it listens
        # (finora/local_start.py should_open_browser); never under gunicorn or in a container.
        self.FINORA_AUTO_OPEN_BROWSER = _bool("FINORA_AUTO_OPEN_BROWSER")
        # The public address links (e-mails) and passkeys are built from; by default where
        # `python app.py` serves, spelled with `localhost` for a loopback or wildcard host.
        self.APP_BASE_URL = (
            os.environ.get("APP_BASE_URL", "").strip()
            or default_base_url(self.FINORA_HOST, self.FINORA_PORT)
        ).rstrip("/")
        # Passkeys (WebAuthn): the relying party's domain and the exact origin browsers sign;
        # empty means derived from APP_BASE_URL in finalise(). Never taken from a request.
        # PASSKEY_RP_ID/RP_NAME/ORIGIN are the Finora seed's names for the same three.
        self.WEBAUTHN_RP_ID = _str(("WEBAUTHN_RP_ID", "PASSKEY_RP_ID")).lower()
        self.WEBAUTHN_RP_NAME = _str(("WEBAUTHN_RP_NAME", "PASSKEY_RP_NAME"), "Finora")
        self.WEBAUTHN_ORIGIN = _str(("WEBAUTHN_ORIGIN", "PASSKEY_ORIGIN")).rstrip("/")
        # Outgoing e-mail; the admin's SMTP settings (stored in the database) win over these.
        # No server at all: mails (with their links) are written to the log instead.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip()
        self.MAIL_PORT = _int("MAIL_PORT", 0)  # 0: 587 for starttls, 465 for ssl, 25 for none
        # MAIL_SECURITY wins; else the seed's MAIL_USE_SSL/MAIL_USE_TLS say it.
        seed_security = mail_security_from_seed() if first_set("MAIL_SECURITY") is None else None
        self.MAIL_SECURITY = _str("MAIL_SECURITY", seed_security or "starttls").lower()
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "").strip()
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_SENDER = _str(("MAIL_SENDER", "MAIL_DEFAULT_SENDER"))
        # The display name of the From header ("Finora <finora@example.com>"); empty: the
        # address alone. Applies to the admin's SMTP settings too, when their sender has none.
        self.MAIL_FROM_NAME = _str("MAIL_FROM_NAME")
        # How long the SMTP server may take to answer each step of sending one mail.
        self.MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 10)
        if not 1 <= self.MAIL_TIMEOUT_SECONDS <= 300:
            raise ConfigError("MAIL_TIMEOUT_SECONDS must be from 1 to 300.")
        self.WTF_CSRF_TIME_LIMIT = None
        self.BABEL_DEFAULT_LOCALE = "pt"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
        self.MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    def finalise(self) -> None:
        """Check the settings once overrides are applied; fill local secrets if allowed."""
        if self.REGISTRATION_MODE not in REGISTRATION_MODES:
            raise ConfigError(
                f"REGISTRATION_MODE must be one of {', '.join(REGISTRATION_MODES)}; "
                f"got {self.REGISTRATION_MODE!r}."
            )
        if self.MAIL_SECURITY not in MAIL_SECURITIES:
            raise ConfigError(
                f"MAIL_SECURITY must be one of {', '.join(MAIL_SECURITIES)}; "
                f"got {self.MAIL_SECURITY!r}."
            )
        if self.UPDATE_CHANNEL not in UPDATE_CHANNELS:
            raise ConfigError(
                f"UPDATE_CHANNEL must be one of {', '.join(UPDATE_CHANNELS)}; "
                f"got {self.UPDATE_CHANNEL!r}."
            )
        if not 1 <= self.UPDATE_CHECK_TIMEOUT_SECONDS <= 300:
            raise ConfigError("UPDATE_CHECK_TIMEOUT_SECONDS must be from 1 to 300.")
        base = urlsplit(self.APP_BASE_URL)
        if not self.WEBAUTHN_RP_ID:
            self.WEBAUTHN_RP_ID = (base.hostname or "").lower()
        if not self.WEBAUTHN_ORIGIN:
            self.WEBAUTHN_ORIGIN = _origin(base.scheme, base.hostname, base.port)
        if not self.SECRET_KEY:
            self.SECRET_KEY = _local_secret(self.DATA_DIR, ".secret_key")
        if not self.APP_SECRET:
            self.APP_SECRET = _local_secret(self.DATA_DIR, ".app_secret")
        self.BACKUP_STORAGE_DIR = Path(
            self.BACKUP_STORAGE_DIR or Path(self.DATA_DIR) / "backups"
        ).resolve()
        self.SQLALCHEMY_LOG_LEVEL = sql_log_level(self.SQLALCHEMY_LOG_LEVEL or "", self.LOG_SQL)
        self.LOG_DIR = Path(self.LOG_DIR or Path(self.DATA_DIR) / "logs").resolve()
        if self.LOG_FILE in ("", ".", "..") or Path(self.LOG_FILE).name != self.LOG_FILE:
            raise ConfigError(
                f"LOG_FILE must be a file name (the folder is LOG_DIR); got {self.LOG_FILE!r}."
            )
        database_file = sqlite_path(self.SQLALCHEMY_DATABASE_URI)
        if database_file is not None:
            private_dir(database_file.parent)
            create_private_file(database_file)


class ProductionConfig(Config):
    """Production: secrets must come from the environment, never generated."""

    ENV_NAME = "production"

    def finalise(self) -> None:
        missing = [name for name in ("SECRET_KEY", "APP_SECRET") if not getattr(self, name)]
        if missing:
            raise ConfigError(
                "Finora cannot start in production without "
                + " and ".join(missing)
                + ". Set them in the environment or .env (for example with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        super().finalise()


class TestingConfig(Config):
    """Tests: no scheduler, no rate limits unless a test turns them on, no log file."""

    ENV_NAME = "testing"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SCHEDULER_ENABLED = False
        self.RATELIMIT_ENABLED = False
        self.LOG_TO_FILE = False
        self.REGISTRATION_MODE = "open"
        self.SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
        self.APP_SECRET = "test-app-secret"  # noqa: S105 - tests only
        # Never send real mail from tests, whatever .env says (tests/mail_server.py sets one).
        self.MAIL_SERVER = ""


CONFIGS: dict[str, type[Config]] = {
    "development": Config,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(env_name: str | None = None) -> Config:
    """Build the configuration object for FINORA_ENV (development by default)."""
    name = (env_name or os.environ.get("FINORA_ENV") or "development").strip().lower()
    if name not in CONFIGS:
        raise ConfigError(f"FINORA_ENV must be one of {', '.join(CONFIGS)}; got {name!r}.")
    return CONFIGS[name]()
