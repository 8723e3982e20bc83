"""RISKY-ADULT-CHILD in the generator's truth: a new risk marker re-opens an (adult, place) key when
the adult was assessed after the key's last situation, whichever situation that assessment answered.

Found comparing the demo force (20,000 people, seed 1) with Safeguard's alerts (issue 9): David, a
violent new partner (T0006-00751), lives with a mother and her two girls at D30472 and is also
linked, as her partner, to the girls' earlier home D31762 (a health record never closed). He was
assessed on 13 June 2022 for the situation at D31762; the truth judged D30472 before D31762 and
so did not yet know of that assessment: the domestic abuse incident of 3 October 2022 and the
offence of 8 November 2022 did not re-open D30472 in the truth, though Safeguard rightly raised
both. The truth is now derived again once every assessment is planted; the feed is unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.synth import generator as G
from safeguard.synth import timeutil as T
from safeguard.synth import truth

PEOPLE, SEED, CHUNK = 20_000, 1, 6
KEY = "adult:T0006-00751|location:D30472"


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


@pytest.fixture(scope="module")
def chunk():
    # Each chunk depends only on the seed, its number, its size and the schools (from the force's
    # size), so the chunk of the report is made alone, as `safeguard generate` makes it.
    end_day = G.DEFAULT_END.toordinal()
    start_day = T.add_months_day(end_day, -12 * G.DEFAULT_YEARS)
    return G.build_chunk(SEED, CHUNK, G.CHUNK_PEOPLE, start_day, end_day, dict(G.CONFIG), {"schools": G._schools(PEOPLE)})


def _risky(situations: list[dict]) -> list[tuple]:
    return sorted((s["key"], s["true_at"], bool(s.get("new_record")), tuple(e["id"] for e in s["evidence"]))
                  for s in situations if s["rule"] == "RISKY-ADULT-CHILD")


def test_a_new_marker_reopens_the_key_after_an_assessment_made_for_another_place(chunk):
    at = {_utc(s["true_at"]): s for s in chunk.situations if s["key"] == KEY}
    assessed = sorted(_utc(t) for t in chunk.ra_times["T0006-00751"])
    # The case still holds: assessed after the key's situation of 13 June 2022 and before the
    # incident of 3 October, for the situation at the girls' other home.
    june = dt.datetime(2022, 6, 13, 7, 11, 3, tzinfo=dt.UTC)
    october = dt.datetime(2022, 10, 3, 5, 26, 53, tzinfo=dt.UTC)
    assert june in at
    assert any(june <= t < october for t in assessed)
    assert any(s["key"] == "adult:T0006-00751|location:D31762" and _utc(s["true_at"]) == june for s in chunk.situations)
    # So the new incident re-opens the key, and so does the offence after he was assessed again.
    assert at[october].get("new_record") and at[october]["evidence"][0]["id"] == "DA6001841"
    november = dt.datetime(2022, 11, 8, 2, 8, 22, tzinfo=dt.UTC)
    assert any(october <= t < november for t in assessed)
    assert at[november].get("new_record") and at[november]["evidence"][0]["id"] == "CRM6001847"


def test_the_truth_is_what_every_planted_assessment_gives(chunk):
    # Deriving the situations again, with nothing new planted, changes none of them.
    before = _risky(chunk.situations)
    deriver = truth.Deriver(chunk)
    kept = chunk.situations
    try:
        chunk.situations = [s for s in kept if s["rule"] != "RISKY-ADULT-CHILD"]
        planted = {tid: list(times) for tid, times in chunk.ra_times.items()}
        deriver.risky_adult_child(respond=False)
        assert {tid: list(times) for tid, times in chunk.ra_times.items()} == planted
        assert _risky(chunk.situations) == before
    finally:
        chunk.situations = kept


def test_no_situation_when_the_condition_and_what_satisfies_it_arrive_together():
    # rules.md, "One alert per situation": "No alert is raised when the condition and what
    # satisfies it arrive at the same moment". Chunk 5 of the demo force: a risk assessment of an
    # adult was recorded at the same second as the record of his moving in with a child on a plan
    # (2 January 2025, 01:29:20); the truth listed a NEW-ADULT-PLAN situation (adult T0005-00175,
    # child T0005-00177) acted on at the moment it came true. 15 such lines in the demo force.
    end_day = G.DEFAULT_END.toordinal()
    start_day = T.add_months_day(end_day, -12 * G.DEFAULT_YEARS)
    ch = G.build_chunk(SEED, 5, G.CHUNK_PEOPLE, start_day, end_day, dict(G.CONFIG), {"schools": G._schools(PEOPLE)})
    moment = int(dt.datetime(2025, 1, 2, 1, 29, 20, tzinfo=dt.UTC).timestamp())
    assert any(moment in times for times in ch.ra_times.values())  # the assessment is still there
    assert not [s for s in ch.situations if s["acted_at"] is not None and s["acted_at"] == s["true_at"]]
