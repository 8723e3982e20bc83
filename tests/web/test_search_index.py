"""The in-process surname index of search: the same answers as comparing every spelling of the
group in turn (as it was first written), and rebuilt without holding up searches."""

from __future__ import annotations

import random
import threading
import time

import pytest

from safeguard.linkage.engine.names import soundex, surname_key, surname_parts
from safeguard.web.selectors import search
from safeguard.web.selectors.search import _surname_score, edit_distance

SURNAMES = ["Smith", "Smyth", "Harper", "Price", "Pryce", "Brooks", "Brookes", "Ellis", "Patel", "Walsh",
            "Marsh", "O'Brien", "McDonald", "MacDonald", "Smith-Jones", "van der Berg", "De Souza", "Ng", "Li",
            "Lee", "Ali", "Khan", "Kahn", "Nowak", "Kowalski", "Okafor", "Thompson", "Thomson", "Johnson",
            "Jonson", "Jones", "Zoë Ångström", "Muñoz", "Ó Súilleabháin", "St John", "Ap Rhys", "Le Roux"]


def _typo(rng: random.Random, word: str) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.randrange(len(word) + 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + rng.choice(letters) + word[i:]
    if kind == 1 and len(word) > 1:
        return word[:i] + word[i + 1:]
    if kind == 2 and i < len(word):
        return word[:i] + rng.choice(letters) + word[i + 1:]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word


def _spelling(rng: random.Random) -> str:
    word = rng.choice(SURNAMES)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        word = _typo(rng, word)
    if rng.random() < 0.15:
        word = f"{word}-{rng.choice(SURNAMES)}"
    return rng.choice([word, word.upper(), word.lower(), word.capitalize()])


# As first written: every spelling of the group compared whole, by every part.
def _close(a: str, b: str) -> bool:
    return edit_distance(a, b) <= (1 if max(len(a), len(b)) <= 5 else 2)


def _score_before(query: str, family: str) -> int:
    q = surname_key(query)
    best = 0
    for part in surname_parts(family):
        if part == q:
            return 3
        if _close(part, q) or (soundex(part) == soundex(q) and edit_distance(part, q) <= 3):
            best = 2
    return best


class _Before:
    """The index as first written: every spelling of the group compared whole, by every part."""

    def __init__(self, spellings, aliases) -> None:
        self.groups, self.alias_groups = {}, {}
        for spelling in spellings:
            for part in surname_parts(spelling):
                self.groups.setdefault(part[:2], set()).add(spelling)
        for record, held in aliases:
            for alias in held:
                if isinstance(alias, dict):
                    for part in surname_parts(alias.get("family_name")):
                        self.alias_groups.setdefault(part[:2], {}).setdefault(part, set()).add(record)

    def surnames_like(self, surname: str) -> set[str]:
        return {s for s in self.groups.get(surname[:2], ()) if _score_before(surname, s)}

    def alias_records_like(self, surname: str) -> set[int]:
        return {r for part, rs in self.alias_groups.get(surname[:2], {}).items() if _score_before(surname, part)
                for r in rs}


def test_the_index_finds_what_comparing_every_spelling_found():
    rng = random.Random(7)
    spellings = sorted({_spelling(rng) for _ in range(3000)} | {"", "-", "x"})
    aliases = [(n, [{"given_names": "A", "family_name": _spelling(rng)} for _ in range(rng.randrange(3))] + ["odd"])
               for n in range(600)]
    index, before = search._SurnameIndex(spellings, aliases), _Before(spellings, aliases)
    queries = [surname_key(_spelling(rng)) for _ in range(600)] + ["smith", "ng", "li", "x", "zz", "obrien"]
    matched = 0
    for q in (q for q in queries if q):
        names, records = before.surnames_like(q), before.alias_records_like(q)
        assert index.surnames_like(q) == names, q
        assert index.alias_records_like(q) == records, q
        matched += bool(names)
    assert matched > 300  # the comparison is not empty-handed


def test_surname_score_is_unchanged():
    rng = random.Random(11)
    for _ in range(5000):
        query, family = surname_key(_spelling(rng)), _spelling(rng)
        if query:
            assert _surname_score(query, family) == _score_before(query, family), (query, family)


def test_edit_distance_with_a_cutoff():
    rng = random.Random(3)
    for _ in range(5000):
        a, b = surname_key(_spelling(rng)), surname_key(_spelling(rng))
        full = edit_distance(a, b)
        for cutoff in range(0, 6):
            assert edit_distance(a, b, cutoff) == min(full, cutoff), (a, b, cutoff)


@pytest.fixture
def slow_index(monkeypatch):
    """The index built from a name each build, a build waiting for `release` once `hold` is set."""
    builds, hold, release = [], threading.Event(), threading.Event()

    class Index:
        def __init__(self) -> None:
            builds.append(self)
            if hold.is_set():
                assert release.wait(10)
            self.built = time.monotonic()

    monkeypatch.setattr(search, "_SurnameIndex", Index)
    search.reset_index()
    yield builds, hold, release
    release.set()
    search.reset_index()


def _wait_for(condition) -> None:
    for _ in range(500):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_an_old_index_is_read_again_in_a_thread_while_searches_use_it(slow_index, monkeypatch):
    builds, hold, release = slow_index
    first = search._surname_index()  # the first is built in the request
    assert builds == [first] and search._surname_index() is first
    monkeypatch.setattr(search, "_refresh_after", time.monotonic() - 1)  # it is now due
    hold.set()
    assert search._surname_index() is first  # answered at once, with the old one
    _wait_for(lambda: len(builds) == 2)
    assert search._surname_index() is first and len(builds) == 2  # one rebuild at a time
    release.set()
    _wait_for(lambda: search._surname_index() is builds[1])
    assert search._refresh_after > time.monotonic() + search.INDEX_SECONDS - 5


def test_an_index_read_before_a_reset_is_not_put_in_place(slow_index, monkeypatch):
    builds, hold, release = slow_index
    first = search._surname_index()
    monkeypatch.setattr(search, "_refresh_after", time.monotonic() - 1)
    hold.set()
    search._surname_index()
    _wait_for(lambda: len(builds) == 2)
    search.reset_index()  # for example after an erasure: the rebuild under way read the old names
    release.set()
    _wait_for(lambda: not search._refreshing)
    fresh = search._surname_index()  # built anew, in the request
    assert fresh is not first and fresh is not builds[1] and fresh is builds[2]


def test_the_first_index_can_be_read_in_a_thread_before_the_first_search(slow_index):
    builds, hold, release = slow_index
    hold.set()
    search.warm_index()  # production: at a server process's first request (web.apps)
    _wait_for(lambda: len(builds) == 1)
    search.warm_index()  # one at a time
    release.set()
    _wait_for(lambda: not search._refreshing)
    assert search._surname_index() is builds[0] and len(builds) == 1
    search.warm_index()  # there is one: nothing to do
    assert not search._refreshing and len(builds) == 1


def test_a_search_that_finds_no_index_waits_for_the_one_being_read(slow_index):
    builds, hold, release = slow_index
    hold.set()
    search.warm_index()
    _wait_for(lambda: len(builds) == 1)
    got = []
    waiting = threading.Thread(target=lambda: got.append(search._surname_index()))
    waiting.start()
    time.sleep(0.1)
    assert not got  # waiting for the build under way, not building a second
    release.set()
    waiting.join(5)
    assert got == [builds[0]] and len(builds) == 1


def test_the_web_app_warms_the_index_once_in_production(slow_index, monkeypatch):
    from django.core.signals import request_started

    from safeguard.web import apps

    builds, hold, release = slow_index
    request_started.connect(apps._warm_search, dispatch_uid=apps.WARM_UID)
    try:
        apps._warm_search(sender=None)  # as request_started calls it (sending it would touch the database)
        _wait_for(lambda: not search._refreshing and len(builds) == 1)
        assert not request_started.disconnect(dispatch_uid=apps.WARM_UID)  # it took itself off
    finally:
        request_started.disconnect(dispatch_uid=apps.WARM_UID)
