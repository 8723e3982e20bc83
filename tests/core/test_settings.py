"""Production mode: secure settings, refused without real secrets, `check --deploy` clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

PRODUCTION = {"SAFEGUARD_ENV": "production", "SAFEGUARD_ALLOWED_HOSTS": "safeguard.example.org",
              "SAFEGUARD_AUDIT_KEY": "a-secret-kept-outside-the-database",
              "SAFEGUARD_AUDIT_CHECKPOINT_KEY": "another-secret-kept-outside-the-database"}


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


def _settings_in(env: dict, *names: str) -> dict:
    import json

    code = f"from django.conf import settings; import json; print(json.dumps({{n: str(getattr(settings, n, None)) for n in {list(names)!r}}}))"
    result = _run(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_and_secure_cookies():
    values = _settings_in({**PRODUCTION, "SAFEGUARD_SECRET_KEY": secrets.token_urlsafe(60)},
                          "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
                          "CSRF_COOKIE_SECURE", "DEMO_MODE", "DEBUG")
    assert values == {"SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
                      "SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "True", "DEMO_MODE": "False",
                      "DEBUG": "False"}


def test_production_never_turns_the_demo_mode_on():
    env = {**PRODUCTION, "SAFEGUARD_SECRET_KEY": secrets.token_urlsafe(60), "SAFEGUARD_DEMO": "1",
           "SAFEGUARD_DEBUG": "1"}
    assert _settings_in(env, "DEMO_MODE", "DEBUG") == {"DEMO_MODE": "False", "DEBUG": "False"}


def test_sessions_lockout_and_passwords_are_configured_as_documented():
    values = _settings_in({}, "SESSION_IDLE_SECONDS", "SESSION_ABSOLUTE_SECONDS", "AXES_FAILURE_LIMIT",
                          "AXES_COOLOFF_TIME", "AXES_LOCKOUT_PARAMETERS", "PASSWORD_HASHERS")
    assert values["SESSION_IDLE_SECONDS"] == "900"
    assert values["SESSION_ABSOLUTE_SECONDS"] == "43200"
    assert values["AXES_FAILURE_LIMIT"] == "5"
    assert values["AXES_COOLOFF_TIME"] == "0:15:00"
    assert values["AXES_LOCKOUT_PARAMETERS"] == "['username']"
    assert values["PASSWORD_HASHERS"].startswith("['django.contrib.auth.hashers.Argon2PasswordHasher'")
