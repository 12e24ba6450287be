"""Configuration: defaults here, secrets and the database only from the environment."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import click

from workflows.rules import jurisdiction_codes


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "jifang.sqlite")


class Config:
    SECRET_KEY = None  # from the environment; else a random one kept in the instance folder (factory)
    # The address people reach the deployment at (JIFANG_PUBLIC_URL): every printed link and QR code is built
    # from it, never from the request's Host header. See check_deployment for the default.
    PUBLIC_URL = None
    # JIFANG_DEV=1: a developer's machine, the only place debug mode (FLASK_DEBUG, --debug) may be on.
    DEV = False
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    JIFANG_JURISDICTION = "liaoning"
    # A session ends 12 hours after log-in for everyone; the idle limits (30 minutes for staff, 2 hours for
    # firms) and the session generation are checked on every request (app/auth/login_guard.py).
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
    # The roster list's rendered results kept per process (app/roster/cache.py); 0 disables the cache
    # (JIFANG_ROSTER_CACHE_SIZE).
    ROSTER_CACHE_SIZE = 256
    # Whole-roster CSV/XLSX downloads per address (app/roster/routes.py); a Flask-Limiter limit string.
    ROSTER_EXPORT_RATE_LIMIT = "3 per minute"
    # Flask-Limiter: in-process counters unless JIFANG_REDIS_URL names a Redis server.
    RATELIMIT_STORAGE_URI = "memory://"
    # JIFANG_REDIS_URL: background jobs on huey's Redis storage (else a SQLite file in the instance folder).
    REDIS_URL = None
    # Explicit, because the limiter object is shared by every app in a process: without it, an app made with
    # RATELIMIT_ENABLED=False (a test) would leave the throttles off for every app made after it.
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Log-in form and one-time code posts per address (on top of the per-account lock).
    LOGIN_RATE_LIMIT = "20 per minute"
    # Clerks and admins must log in with a time-based one-time password (JIFANG_REQUIRE_TOTP=1).
    REQUIRE_TOTP = False
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Prefix are believed
    # (JIFANG_TRUSTED_PROXIES; 0 = none, the headers are ignored). See app/serving.py.
    TRUSTED_PROXIES = 0


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
        "PUBLIC_URL": env.get("JIFANG_PUBLIC_URL"),
        "TRUSTED_PROXIES": env.get("JIFANG_TRUSTED_PROXIES"),
    }
    if env.get("JIFANG_DEV") == "1":
        found["DEV"] = True
    if env.get("JIFANG_REDIS_URL"):
        found["REDIS_URL"] = env["JIFANG_REDIS_URL"]  # the job queue and its progress (app/jobs.py)
        found["RATELIMIT_STORAGE_URI"] = env["JIFANG_REDIS_URL"]
    if env.get("JIFANG_ROSTER_CACHE_SIZE", "").strip():
        found["ROSTER_CACHE_SIZE"] = int(env["JIFANG_ROSTER_CACHE_SIZE"])  # 0 (falsy) must survive the filter
    if env.get("JIFANG_REQUIRE_TOTP") == "1":
        found["REQUIRE_TOTP"] = True
    if env.get("SESSION_COOKIE_SECURE") == "1":
        found["SESSION_COOKIE_SECURE"] = True
    return {key: value for key, value in found.items() if value or key == "ROSTER_CACHE_SIZE"}


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = True
    PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


# --- start-up checks: a deployment never runs with a guessable key, the debugger, or links from Host ---

MIN_SECRET_KEY_LENGTH = 32
# Keys found in tutorials, templates and this project's own tests: public, so worthless whatever their length.
KNOWN_SECRET_KEYS = frozenset({
    "dev", "development", "secret", "secret-key", "secret_key", "secretkey", "my-secret-key", "mysecret",
    "changeme", "change-me", "change_me", "changethis", "change-this", "please-change-me", "test", "testing",
    "test-secret", "default", "password", "jifang", "flask", "insecure", "not-a-secret", "your-secret-key",
    "super-secret", "supersecret", "s3cr3t", "xxx", "abc123", "123456",
})
# Without JIFANG_PUBLIC_URL, links point at the address `./run demo` and `flask run` serve.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
TESTING_PUBLIC_URL = "http://localhost"  # the Flask test client's host


class UnsafeConfiguration(click.ClickException):
    """The app refuses to start. A ClickException, so `flask ...` prints the one line without a traceback."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"拒绝启动：{zh} / refusing to start: {en}")


def _weak_secret(key) -> bool:
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key or "")
    normalised = text.strip().lower()
    return (len(text) < MIN_SECRET_KEY_LENGTH or normalised in KNOWN_SECRET_KEYS
            or len(set(text)) < 8)  # "aaaa…" or "abab…" of any length is guessed as quickly


def public_url(value: str | None) -> str:
    """JIFANG_PUBLIC_URL checked and without its trailing slash: http(s), a host, an optional path."""
    parts = urlsplit((value or "").strip())
    if (parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc
            or parts.query or parts.fragment):
        raise UnsafeConfiguration(
            f"JIFANG_PUBLIC_URL“{value}”不是有效的网址，应为 https://主机名[:端口][/路径]",
            f"JIFANG_PUBLIC_URL {value!r} is not an http(s)://host[:port][/path] address",
        )
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def check_deployment(config, logger: logging.Logger | None = None) -> None:
    """Refuse a weak SECRET_KEY and debug mode outside development; settle PUBLIC_URL and cookie security.

    Skipped checks under TESTING only. A weak key lets anyone forge a session cookie (log in as anyone);
    the Werkzeug debugger runs code typed into an error page. Without SECRET_KEY the factory keeps a random
    key in the instance folder, which passes. Without JIFANG_PUBLIC_URL links use DEFAULT_PUBLIC_URL and the
    log says so. An https public URL turns the Secure flag on for the session and remember cookies
    (SESSION_COOKIE_SECURE=1 still turns it on by hand)."""
    testing = bool(config.get("TESTING"))
    code, known = config.get("JIFANG_JURISDICTION", Config.JIFANG_JURISDICTION), jurisdiction_codes()  # no list here
    if code not in known:
        raise UnsafeConfiguration(
            f"JIFANG_JURISDICTION“{code}”没有对应的辖区规则包；可选：{'、'.join(known)}",
            f"unknown jurisdiction {code!r} in JIFANG_JURISDICTION; choose one of {', '.join(known)} "
            "(folders under workflows/jurisdictions or JIFANG_JURISDICTIONS_DIR)",
        )
    if not testing and _weak_secret(config.get("SECRET_KEY")):
        raise UnsafeConfiguration(
            f"SECRET_KEY 少于{MIN_SECRET_KEY_LENGTH}个字符或是公开的默认值；请设置随机密钥"
            "（例如 python -c 'import secrets; print(secrets.token_hex(32))'），或不设置以使用实例目录中自动生成的密钥",
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters or a well-known default; set a random "
            "one, or unset it to use the key generated in the instance folder",
        )
    if not testing and config.get("DEBUG") and not config.get("DEV"):
        raise UnsafeConfiguration(
            "调试模式（FLASK_DEBUG / --debug）只能在开发环境中开启，须同时设置 JIFANG_DEV=1",
            "debug mode (FLASK_DEBUG / --debug) is for development only; set JIFANG_DEV=1 on a developer's machine",
        )
    if config.get("PUBLIC_URL"):
        config["PUBLIC_URL"] = public_url(config["PUBLIC_URL"])
    else:
        config["PUBLIC_URL"] = TESTING_PUBLIC_URL if testing else DEFAULT_PUBLIC_URL
        if not testing and logger is not None:
            logger.warning("JIFANG_PUBLIC_URL 未设置，备案证明的链接和二维码指向 %s / JIFANG_PUBLIC_URL is not set; "
                           "certificate links and QR codes point at %s", DEFAULT_PUBLIC_URL, DEFAULT_PUBLIC_URL)
    if config["PUBLIC_URL"].startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
