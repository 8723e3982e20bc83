"""Names: nicknames, canonical forenames, surname parts, Soundex."""

from __future__ import annotations

import pytest

from safeguard.linkage.engine.names import (
    are_nicknames,
    canonical_forename,
    is_known_forename,
    name_tokens,
    nicknames,
    soundex,
    surname_key,
    surname_parts,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [("dan", "daniel"), ("danny", "dan"), ("liz", "elizabeth"), ("bill", "william"), ("peggy", "margaret"),
     ("shaun", "sean"), ("mo", "mohammed"), ("katie", "catherine"), ("lilly", "lily"), ("jaxon", "jackson")],
)  # fmt: skip
def test_nicknames(a: str, b: str) -> None:
    assert are_nicknames(a, b) and are_nicknames(b, a)


@pytest.mark.parametrize(("a", "b"), [("daniel", "david"), ("samuel", "samantha"), ("jack", "jake")])
def test_not_nicknames(a: str, b: str) -> None:
    assert not are_nicknames(a, b)


def test_the_table_is_a_decent_size() -> None:
    assert len(nicknames()) >= 300


def test_canonical_forename_blocks_nicknames_together() -> None:
    assert (
        canonical_forename("dan") == canonical_forename("danny") == canonical_forename("daniel") == "daniel"
    )
    assert canonical_forename("clare") == canonical_forename("claire")


def test_known_forenames_tell_names_from_typos() -> None:
    assert is_known_forename("jake") and is_known_forename("jack")
    assert not is_known_forename("madisono")


def test_tokens_and_surnames() -> None:
    assert name_tokens("Mary-Jane  O'Neil") == ("mary", "jane", "oneil")
    assert name_tokens("Zoë") == ("zoe",)
    assert surname_key("Smith-Jones") == "smithjones"
    assert surname_parts("Smith-Jones") == ("smithjones", "smith", "jones")
    assert surname_parts("de la Cruz") == ("delacruz", "cruz")


@pytest.mark.parametrize(
    ("name", "code"),
    [("robert", "r163"), ("rupert", "r163"), ("ashcraft", "a261"), ("tymczak", "t522"), ("pfister", "p236")],
)
def test_soundex(name: str, code: str) -> None:
    assert soundex(name) == code
