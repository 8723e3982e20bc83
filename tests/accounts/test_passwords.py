"""Passwords are hashed with Argon2 and must be long, uncommon, not all digits and not like the
username."""

from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test.utils import override_settings

from safeguard.accounts.models import User


def test_new_passwords_are_hashed_with_argon2():
    # The project's setting, read from the module: this folder's fast_passwords fixture swaps it for speed.
    from safeguard import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        assert identify_hasher(make_password("a-long-enough-passphrase-42")).algorithm == "argon2"


def codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_short_passwords_are_refused():
    assert "password_too_short" in codes("Tr0ub4dor&3")  # 11 characters


def test_common_passwords_are_refused():
    assert "password_too_common" in codes("1qaz2wsx3edc")


def test_all_digit_passwords_are_refused():
    assert "password_entirely_numeric" in codes("839201746512")


def test_passwords_like_the_username_are_refused():
    user = User(username="samantha.jones.police", email="samantha.jones@northshire.police.uk")
    assert "password_too_similar" in codes("samantha.jones.police", user)


def test_a_long_uncommon_passphrase_is_accepted():
    assert codes("violet-kettle-harbour-nine") == set()
