"""Configuration: defaults here, secrets and the database only from the environment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

JURISDICTIONS = ("liaoning", "inner-mongolia", "shanxi", "qinhuangdao")


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "jifang.sqlite")


class Config:
    SECRET_KEY = None  # from the environment; else a random one kept in the instance folder (factory)
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    JIFANG_JURISDICTION = "liaoning"
    # A session ends 12 hours after log-in for everyone; the idle limits (30 minutes for staff, 2 hours for
    # firms) and the session generation are checked on every request (app/services/login_guard.py).
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=12)
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = dt.timedelta(seconds=0)
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
    # Argon2id parameters (RFC 9106 second recommended option).
    PASSWORD_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_FOLDER = None  # default: <instance>/uploads, outside the web root
    ROSTER_PAGE_SIZE = 50
    # Flask-Limiter: in-process counters unless JIFANG_REDIS_URL names a Redis server.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Log-in form and one-time code posts per address (on top of the per-account lock).
    LOGIN_RATE_LIMIT = "20 per minute"
    # Clerks and admins must log in with a time-based one-time password (JIFANG_REQUIRE_TOTP=1).
    REQUIRE_TOTP = False


def from_environment() -> dict:
    """Settings a deployment gives through its environment, read when the app is created."""
    env = os.environ
    found = {
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL"),
        "JIFANG_JURISDICTION": env.get("JIFANG_JURISDICTION"),
        "UPLOAD_FOLDER": env.get("JIFANG_UPLOAD_FOLDER"),
        "JIFANG_JOBS_EMBEDDED": env.get("JIFANG_JOBS_EMBEDDED"),
        "JIFANG_JOBS_DB": env.get("JIFANG_JOBS_DB"),
    }
    if env.get("JIFANG_REDIS_URL"):
        found["RATELIMIT_STORAGE_URI"] = env["JIFANG_REDIS_URL"]
    if env.get("JIFANG_REQUIRE_TOTP") == "1":
        found["REQUIRE_TOTP"] = True
    if env.get("SESSION_COOKIE_SECURE") == "1":
        found["SESSION_COOKIE_SECURE"] = True
    return {key: value for key, value in found.items() if value}


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = True
    PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
