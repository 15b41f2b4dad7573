"""Configuration read from the environment.

Production refuses to start without a real SECRET_KEY; development and tests get safe defaults.
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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Failed sign-ins for one e-mail address within the window before further attempts are refused.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
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
        if not config.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment before starting the tracker."
            )


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, a throwaway secret, cookies over plain http."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    DEBUG = False


class TestConfig(Config):
    """Tests: PostgreSQL from TEST_DATABASE_URL, otherwise SQLite (the fixtures pick the file)."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Most tests post forms directly; tests/test_csrf.py turns protection back on.
    WTF_CSRF_ENABLED = False
