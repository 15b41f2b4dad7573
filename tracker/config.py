"""Configuration read from the environment.

Production refuses to start without a real SECRET_KEY (32 bytes or more); development and tests
get safe defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def normalise_database_url(url: str) -> str:
    """Plain "postgresql://" (and Heroku-style "postgres://") URLs mean the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _int_setting(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _database_url(default: str) -> str:
    return normalise_database_url(os.environ.get("DATABASE_URL", default))


class Config:
    """Settings for a real deployment; every value can be overridden by the environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'tracker.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "50"))
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "South Cambridgeshire District Council")
    GOVUK_FRONTEND_DIR = os.environ.get(
        "GOVUK_FRONTEND_DIR",
        str(PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    )
    # plotly.js's basic bundle (bar, scatter, pie), a quarter of the full one's size: the Gantt
    # chart draws with it, so that its page is ready sooner (issue 15).
    PLOTLY_BASIC_JS = os.environ.get(
        "PLOTLY_BASIC_JS",
        str(PROJECT_ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"),
    )
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Failed sign-ins within the window before further attempts are refused: for one address
    # from one source, from one source, for one address (tracker/auth/throttle.py says why).
    LOGIN_MAX_FAILURES = _int_setting("LOGIN_MAX_FAILURES", 5)
    LOGIN_MAX_FAILURES_PER_SOURCE = _int_setting("LOGIN_MAX_FAILURES_PER_SOURCE", 20)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int_setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    # How many reverse proxies in front of the tracker set X-Forwarded-For; 0 (none) ignores the
    # header, which anyone could otherwise write to claim a new source for each sign-in attempt.
    PROXY_FIX_X_FOR = _int_setting("PROXY_FIX_X_FOR", 0)
    # A session cookie signed with a short key can be forged by guessing the key offline.
    MIN_SECRET_KEY_BYTES = 32
    # E-mail (tracker/mail): sent through this SMTP server; without MAIL_SERVER every message
    # is written to the log instead, so that a tracker with nothing configured still runs.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int_setting("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "CSE Tracker <cse-tracker@localhost>")
    MAIL_TIMEOUT_SECONDS = 10
    # The tracker's address as people reach it, for links in messages sent outside a request
    # (the daily digest, from the command line).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Background jobs (tracker/jobs): with a Redis URL, e-mail and other slow work is queued
    # there and run by `flask --app tracker worker`; without one, it runs in the request's
    # process just after the commit. A failed job is retried after each of these waits.
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    JOB_RETRY_INTERVALS: tuple[int, ...] = (30, 120, 600, 1800, 3600)
    # gzip for pages and JSON (tracker/compression.py); 0 when the reverse proxy compresses.
    COMPRESS_RESPONSES = os.environ.get("COMPRESS_RESPONSES", "1") == "1"
    TESTING = False
    DEBUG = False

    @property
    def MAX_CONTENT_LENGTH(self) -> int:  # noqa: N802 - Flask's setting name
        # One megabyte more than the file limit for the form's other fields, so that a file just
        # over the limit is refused beside its field, with the form kept, by the upload check;
        # a far larger request is refused at once, before it is read.
        return (self.MAX_UPLOAD_MB + 1) * 1024 * 1024

    @classmethod
    def check(cls, config: dict) -> None:
        key = config.get("SECRET_KEY")
        if not key:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment before starting the tracker."
            )
        size = len(key.encode() if isinstance(key, str) else key)
        if size < config["MIN_SECRET_KEY_BYTES"]:
            raise RuntimeError(
                f"SECRET_KEY is {size} bytes long; it must be {config['MIN_SECRET_KEY_BYTES']} "
                "bytes or more. Make one with: python -c 'import secrets; "
                "print(secrets.token_hex(32))'"
            )


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, a throwaway secret, cookies over plain http."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MIN_SECRET_KEY_BYTES = 0
    DEBUG = False


class TestConfig(Config):
    """Tests: PostgreSQL from TEST_DATABASE_URL, otherwise SQLite (the fixtures pick the file)."""

    TESTING = True
    SECRET_KEY = "test-secret"
    MIN_SECRET_KEY_BYTES = 0
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    REDIS_URL = None  # jobs run in-process; tests/test_worker.py sets it to TEST_REDIS_URL
    # Most tests post forms directly; tests/test_csrf.py turns protection back on.
    WTF_CSRF_ENABLED = False
    # Messages go to the log unless a test points these at its own SMTP server.
    MAIL_SERVER = None
