"""Configuration classes, read from the environment.

``create_app`` picks one with :func:`config_for` (``TRACKER_ENV`` = development,
production or testing). Secrets and URLs always come from the environment.
"""

import os
import tempfile

# The repository's root: translations/ sits beside config.py, whatever the working directory.
ROOT = os.path.dirname(os.path.abspath(__file__))


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(value):
    """``value`` with the psycopg 3 driver named for PostgreSQL URLs."""
    if value and value.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # A relative SQLite path is resolved inside the instance folder by Flask-SQLAlchemy.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", "sqlite:///tracker.db"))
    # Bound values never reach the log: a failed statement would otherwise write password
    # hashes, session tokens or personal data next to its SQL.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    # Password hashing: Werkzeug's scrypt. Tests lower the cost, never the algorithm.
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 12

    # Rate limits (Flask-Limiter). Memory by default, Redis in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes")
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "50 per 15 minutes")
    # Registrations and requests for a new confirmation link, which both send mail: per
    # client address, and per address asked for (so that nobody fills a stranger's mailbox).
    REGISTRATION_ADDRESS_LIMIT = os.environ.get("REGISTRATION_ADDRESS_LIMIT", "10 per hour")
    REGISTRATION_EMAIL_LIMIT = os.environ.get("REGISTRATION_EMAIL_LIMIT", "3 per hour")

    # Open self-registration. In production accounts come from the office (invitations,
    # single sign-on, an admin), so it is off unless asked for; the demo and tests open it.
    REGISTRATION_OPEN = _bool("REGISTRATION_OPEN", False)

    # Single sign-on through the organisation's OpenID Connect provider, on when OIDC_ISSUER
    # is set (its endpoints and keys come from the issuer's discovery document). Register
    # <tracker address>/auth/oidc/callback as the redirect URI at the provider, and the
    # sign-in page's address as the address to come back to after signing out.
    OIDC_ISSUER = (os.environ.get("OIDC_ISSUER") or "").rstrip("/") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    # The provider's name on the sign-in button ("Sign in with Janus").
    OIDC_NAME = os.environ.get("OIDC_NAME") or "single sign-on"
    # The e-mail domains whose people get a new account at their first sign-in (comma
    # separated); anyone else needs an account made for them first.
    OIDC_ALLOWED_DOMAINS = tuple(
        domain.strip().lower()
        for domain in os.environ.get("OIDC_ALLOWED_DOMAINS", "").split(",")
        if domain.strip()
    )
    # The claim naming a new person's home unit by its acronym; without it (or when it names
    # no unit) the unit the person names is a request its director confirms.
    OIDC_UNIT_CLAIM = os.environ.get("OIDC_UNIT_CLAIM") or None
    # False: people who signed in through the provider may no longer use a password here.
    PASSWORD_SIGN_IN_FOR_SSO = _bool("PASSWORD_SIGN_IN_FOR_SSO", True)

    # Mail (the notification outbox delivers through SMTP when MAIL_SERVER is set).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "mobility@localhost")

    # Links in messages written outside a request (reminders sent by a daily command): the
    # address people reach the tracker at, such as https://mobility.example.org.
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or None

    # send-reminders (run daily): who must act is reminded after REMINDER_DAYS working days
    # of waiting, and again every REMINDER_DAYS; the admins are told after ESCALATION_DAYS
    # (and again every ESCALATION_DAYS). Applicants of approved stays hear of unmet
    # requirements REQUIREMENTS_REMINDER_DAYS (calendar days) before the start.
    REMINDER_DAYS = _int("REMINDER_DAYS", 5)
    ESCALATION_DAYS = _int("ESCALATION_DAYS", 10)
    REQUIREMENTS_REMINDER_DAYS = _int("REQUIREMENTS_REMINDER_DAYS", 14)

    # Uploaded files (documents, import files) go to the store STORAGE_BACKEND names:
    # "local", the only one, keeps them in UPLOAD_FOLDER (the instance folder's "uploads"
    # unless set), a folder every node shares when there are several.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND") or "local"
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 11 * 1024 * 1024)
    MAX_DOCUMENT_SIZE = _int("MAX_DOCUMENT_SIZE", 10 * 1024 * 1024)
    # The largest file the import page takes (the command line has no limit).
    IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 10 * 1000 * 1000)
    # An import's files (an upload never confirmed, its error report) are removed by the
    # daily apply-retention after this many days; a confirmed upload goes at once.
    IMPORT_FILES_DAYS = _int("IMPORT_FILES_DAYS", 7)

    # Background jobs (large exports and imports, notification delivery, reminders) go to
    # an RQ queue on the Redis of REDIS_URL, run by `flask --app tracker worker`. Without
    # REDIS_URL (the embedded default) a job runs at once, within the request that asks
    # for it, and its page shows it finished. JOBS_QUEUE names the queue, so that two
    # trackers may share a Redis.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE") or "tracker"
    # An export of more rows than EXPORT_JOB_ROWS (XLSX always; CSV when asked for in the
    # background) and the confirmation of an import of more rows than IMPORT_JOB_ROWS run
    # as jobs. A job's file (an export) is removed by apply-retention after JOB_FILES_DAYS.
    EXPORT_JOB_ROWS = _int("EXPORT_JOB_ROWS", 50_000)
    IMPORT_JOB_ROWS = _int("IMPORT_JOB_ROWS", 5_000)
    JOB_FILES_DAYS = _int("JOB_FILES_DAYS", 7)

    # Personal API tokens.
    API_TOKEN_DAYS = _int("API_TOKEN_DAYS", 30)

    # Personal data (the privacy page states these): the documents of an application
    # finished more than DOCUMENT_RETENTION_YEARS ago are erased, and a person inactive for
    # more than PERSON_RETENTION_YEARS is pseudonymised, by the daily apply-retention.
    # PRIVACY_CONTACT is the address people write to for a copy or the erasure of their data.
    DOCUMENT_RETENTION_YEARS = _int("DOCUMENT_RETENTION_YEARS", 5)
    PERSON_RETENTION_YEARS = _int("PERSON_RETENTION_YEARS", 10)
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT") or "privacy@localhost"

    # Report figures (dashboard, large list counts, filter choices) are kept for
    # REPORTS_CACHE_SECONDS (0 keeps nothing): in Redis when CACHE_URL is set, so that every
    # worker shows the same figure; else in each process. CACHE_KEY_PREFIX marks this
    # application's keys in a Redis database that others may share.
    REPORTS_CACHE_SECONDS = _int("REPORTS_CACHE_SECONDS", 60)
    CACHE_URL = os.environ.get("CACHE_URL")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or "tracker:"

    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto. Without this,
    # every client would share the proxy's address (and its sign-in limit).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)

    # Interface.
    BABEL_DEFAULT_LOCALE = "en"
    # Catalogues: translations/<locale>/LC_MESSAGES/messages.po, compiled to .mo by `make`.
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(ROOT, "translations")
    # The organisation's time zone: every page and export shows times in it (create_app
    # hands it to Flask-Babel as BABEL_DEFAULT_TIMEZONE); timestamps are stored in UTC.
    TIMEZONE = os.environ.get("TIMEZONE") or "Europe/Paris"
    LANGUAGES = ["en", "fr"]
    ITEMS_PER_PAGE = 25

    @classmethod
    def check(cls, app):
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    REGISTRATION_OPEN = _bool("REGISTRATION_OPEN", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # tests pass their own database
    SECRET_KEY = "testing-secret-key-not-for-production"
    # Same algorithm as production, lower cost, so that the suite stays quick.
    PASSWORD_HASH_METHOD = "scrypt:4096:8:1"
    RATELIMIT_STORAGE_URI = "memory://"
    REPORTS_CACHE_SECONDS = 0  # tests see fresh figures unless they ask for kept ones
    CACHE_URL = None  # in process whatever the environment says; Redis tests pass their own
    REDIS_URL = None  # jobs run at once unless a test hands them to its own queue
    REGISTRATION_OPEN = True  # tests that need it closed say so


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls, app):
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production.")
        if app.debug:
            raise RuntimeError("Debug mode must be off in production.")
        if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
            app.logger.warning(
                "RATELIMIT_STORAGE_URI is memory://: each worker counts sign-in failures "
                "on its own. Use Redis in production."
            )
        if not app.config.get("CACHE_URL"):
            app.logger.warning(
                "CACHE_URL is unset: each worker keeps its own report figures, so two "
                "workers may show different ones. Use Redis in production."
            )
        if not app.config.get("REDIS_URL"):
            app.logger.warning(
                "REDIS_URL is unset: large exports and imports run within the request that "
                "asks for them. Set REDIS_URL and run `flask --app tracker worker`."
            )
        if not app.config.get("MAIL_SERVER"):
            app.logger.warning(
                "MAIL_SERVER is unset: notifications are written to the log, never sent. "
                "Set MAIL_SERVER (and MAIL_DEFAULT_SENDER) in production."
            )
        cls._check_upload_folder(app.config["UPLOAD_FOLDER"])

    @staticmethod
    def _check_upload_folder(folder):
        """Refuse to start when attached documents could not be stored: better a clear
        failure at deployment than every upload answering 503."""
        try:
            os.makedirs(folder, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-")
            probe.close()
        except OSError as error:
            raise RuntimeError(
                f"UPLOAD_FOLDER {folder!r} cannot be written ({error.strerror or error}): "
                "create it, or point UPLOAD_FOLDER at a writable folder."
            ) from None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    """The configuration class named by ``name`` or by ``TRACKER_ENV``."""
    name = (name or os.environ.get("TRACKER_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown TRACKER_ENV {name!r}: use one of {', '.join(CONFIGS)}.")
