"""The app refuses to start with a guessable SECRET_KEY or with debug mode outside development, in one
line without a traceback; and the public address is settled at start (issue 9, defect 10)."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import DEFAULT_PUBLIC_URL, UnsafeConfiguration, check_deployment

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = secrets.token_hex(32)


def deployment(tmp_path, **config):
    """What a deployment's environment gives the factory (no TESTING)."""
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite'}", "UPLOAD_FOLDER": str(tmp_path),
            "SECRET_KEY": GOOD_KEY, **config}


@pytest.mark.parametrize("key", ["dev", "secret", "changeme", "test-secret", "x" * 31, "a" * 64, "ab" * 32,
                                 "CHANGEME", b"dev"])
def test_a_short_or_well_known_key_is_refused(tmp_path, key):
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(deployment(tmp_path, SECRET_KEY=key))
    message = refused.value.format_message()
    assert "拒绝启动：SECRET_KEY" in message and "refusing to start" in message and "\n" not in message
    assert GOOD_KEY not in message


def test_debug_mode_needs_the_development_setting(tmp_path):
    with pytest.raises(UnsafeConfiguration, match="JIFANG_DEV=1"):
        create_app(deployment(tmp_path, DEBUG=True))
    config = {"SECRET_KEY": GOOD_KEY, "DEBUG": True, "DEV": True}
    check_deployment(config)  # a developer's machine says so explicitly


def test_a_random_key_passes_and_links_default_to_the_local_address_with_a_warning(caplog):
    config = {"SECRET_KEY": GOOD_KEY}
    with caplog.at_level(logging.WARNING):
        check_deployment(config, logging.getLogger("jifang-test"))
    assert config["PUBLIC_URL"] == DEFAULT_PUBLIC_URL == "http://127.0.0.1:5000"
    assert "JIFANG_PUBLIC_URL" in caplog.text
    assert not config.get("SESSION_COOKIE_SECURE")


@pytest.mark.parametrize(("given", "settled", "secure"), [
    ("https://JiFang.example.gov.cn/", "https://jifang.example.gov.cn", True),
    ("http://10.0.0.5:8080/jifang/", "http://10.0.0.5:8080/jifang", False),
])
def test_the_public_address_is_normalised_and_https_makes_cookies_secure(given, settled, secure):
    config = {"SECRET_KEY": GOOD_KEY, "PUBLIC_URL": given}
    check_deployment(config)
    assert config["PUBLIC_URL"] == settled and bool(config.get("SESSION_COOKIE_SECURE")) is secure


@pytest.mark.parametrize("bad", ["jifang.example.gov.cn", "ftp://x.example", "https://u:p@x.example",
                                 "https://x.example/?next=evil", "https://"])
def test_a_malformed_public_address_is_refused(bad):
    with pytest.raises(UnsafeConfiguration, match="JIFANG_PUBLIC_URL"):
        check_deployment({"SECRET_KEY": GOOD_KEY, "PUBLIC_URL": bad})


def test_the_command_line_says_why_in_one_line_without_a_traceback(tmp_path):
    env = {**os.environ, "SECRET_KEY": "dev", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
           "JIFANG_UPLOAD_FOLDER": str(tmp_path)}
    env.pop("FLASK_DEBUG", None)
    for args in (["routes"], ["run", "--port", "0"]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert lines == ["Error: 拒绝启动：SECRET_KEY 少于32个字符或是公开的默认值；请设置随机密钥（例如 python -c "
                         "'import secrets; print(secrets.token_hex(32))'），或不设置以使用实例目录中自动生成的密钥 / "
                         "refusing to start: SECRET_KEY is shorter than 32 characters or a well-known default; set a "
                         "random one, or unset it to use the key generated in the instance folder"], done.stderr
