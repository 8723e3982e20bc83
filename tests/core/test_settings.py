"""Production mode: secure settings, refused without real secrets, `check --deploy` clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

PRODUCTION = {"SAFEGUARD_ENV": "production", "SAFEGUARD_ALLOWED_HOSTS": "safeguard.example.org",
              "SAFEGUARD_AUDIT_KEY": "a-secret-kept-outside-the-database"}


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    # A clean environment: no SAFEGUARD_ settings, and not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_ALLOW_ASYNC"))}
    return subprocess.run([sys.executable, "-m", "safeguard.manage", *args], env={**base, **env}, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_in_production_mode():
    result = _run({**PRODUCTION, "SAFEGUARD_SECRET_KEY": secrets.token_urlsafe(60)}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret():
    result = _run(PRODUCTION, "check")
    assert result.returncode != 0
    assert "Set SAFEGUARD_SECRET_KEY" in result.stderr
