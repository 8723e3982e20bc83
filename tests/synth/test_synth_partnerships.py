"""A couple who part and get together again: the generator must close the partner relationship it
records for the second partnership with the second partnership's end, not the first's.

Found at force scale (600,000 people, seed 1): the loader rejected feed line 1,157,642,
relationship health/HR39000936 with `to` 2025-04-15 before `from` 2025-11-17: a man who had been
the mother's new partner from 2023 to 2025-04-15 became her new partner again in late 2025, and
the health visitor's record of the second partnership was closed with the first one's end."""

from __future__ import annotations

import json

from safeguard.synth import generator as G
from safeguard.synth import timeutil as T
from safeguard.synth.core import Person
from safeguard.synth.sources import _partnership_end


def _people() -> tuple[Person, Person]:
    return Person("T1", "male", "Dean", [], "Hart", 720000), Person("T2", "female", "Amy", [], "Cole", 721000)


def test_partnership_end_is_that_of_the_partnership_in_force_on_the_day():
    man, mother = _people()
    other = Person("T3", "female", "Zoe", [], "Lane", 721500)
    man.partner_of = [(other, 738000, 738100), (mother, 738500, 739000), (mother, 739300, None)]
    assert _partnership_end(man, mother, 738600) == 739000  # during the first
    assert _partnership_end(man, mother, 739200) == 739000  # between the two: the first has ended
    assert _partnership_end(man, mother, 739400) is None  # the second lasts
    man.partner_of[2] = (mother, 739300, 739800)
    assert _partnership_end(man, mother, 739400) == 739800
    # Begun before the first ended (a short first partnership): still the second's end.
    man.partner_of = [(mother, 738500, 738650), (mother, 738450, 739800)]
    assert _partnership_end(man, mother, 738700) == 739800
    assert _partnership_end(man, mother, 738000) == 738650  # none begun yet: the first
    assert _partnership_end(man, other, 739400) is None  # never partners


def _dated_versions_end_before_they_begin(path) -> list[str]:
    bad = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["kind"] in ("relationship", "person_location") and rec.get("from") and rec.get("to"):
                if rec["to"] < rec["from"]:
                    bad.append(line.strip())
    return bad


def test_the_force_scale_chunk_that_had_it_writes_no_relationship_ending_before_it_begins(tmp_path):
    # Chunk 39 of `safeguard generate --people 600000 --seed 1`: each chunk depends only on the
    # seed, its number, its size and the schools (from the force's size), so it is made alone.
    people, seed, index = 600_000, 1, 39
    end_day = G.DEFAULT_END.toordinal()
    start_day = T.add_months_day(end_day, -12 * G.DEFAULT_YEARS)
    shared = {"schools": G._schools(people)}
    G._run_chunk((seed, index, G.CHUNK_PEOPLE, start_day, end_day, dict(G.CONFIG), shared, tmp_path))
    part = tmp_path / f"feed-{index:05d}.jsonl"
    text = part.read_text(encoding="utf-8")
    # The couple of the report are in this chunk (the test still means something).
    assert '"id": "HR39000936"' in text
    assert _dated_versions_end_before_they_begin(part) == []

