"""The synthetic force generator: determinism, the feed schema, and ground truth consistent with
the feed (issue 7)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from synth_feed_schema import FeedCheck, parse_datetime

from safeguard.synth import generate

RULES = {
    "RISKY-ADULT-CHILD",
    "NEW-ADULT-PLAN",
    "BAIL-ADDRESS",
    "REOFFEND-REASSESS",
    "ORDER-BREACH-2",
    "BREACH-WARNING-ONLY",
    "BAIL-EXPIRY",
    "RSO-ANNUAL",
    "RSO-ADDRESS",
    "RSO-CHILD-HOUSEHOLD",
    "RSO-VISIT",
    "RSO-NO-FIXED-ABODE",
    "MISSING-HIGH",
    "RHI-72H",
    "MISSING-REPEAT",
    "MISSING-FOUND-WITH-RISK",
    "ENCOMPASS",
    "DA-MARAC",
    "REFERRAL-DECISION",
    "ASSESSMENT-45",
    "ICPC-15",
    "CP-REVIEW",
    "CP-VISIT",
    "POLICE-PROTECTION-72H",
    "ONLINE-TRIAGE",
    "ONLINE-ACTION",
}
FILES = ["feed.jsonl", "truth/records.csv", "truth/situations.jsonl", "truth/summary.json"]


@pytest.fixture(scope="module")
def force(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("force")
    summary = generate(2000, 11, out)
    check = FeedCheck(out / "feed.jsonl")
    with open(out / "truth" / "records.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(out / "truth" / "situations.jsonl", encoding="utf-8") as f:
        situations = [json.loads(line) for line in f]
    return {"out": out, "summary": summary, "check": check, "rows": rows, "situations": situations}


def read(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    a = read_after(generate(600, 3, tmp_path / "a"))
    b = read_after(generate(600, 3, tmp_path / "b"))
    c = read_after(generate(600, 4, tmp_path / "c"))
    assert a == b
    assert a["feed.jsonl"] != c["feed.jsonl"]
    assert a["truth/situations.jsonl"] != c["truth/situations.jsonl"]


def read_after(summary) -> dict[str, bytes]:
    return read(Path(summary.out_dir))


def test_output_does_not_depend_on_worker_processes(tmp_path):
    one = generate(5200, 9, tmp_path / "one", workers=1, years=2)
    two = generate(5200, 9, tmp_path / "two", workers=2, years=2)
    assert one.chunks > 1
    assert read_after(one) == read_after(two)


def test_end_and_years_bound_the_history(tmp_path):
    end = dt.date(2024, 3, 31)
    s = generate(400, 2, tmp_path / "f", end=end, years=2)
    assert s.end == "2024-03-31" and s.years == 2
    last = dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC) + dt.timedelta(hours=1)
    start = dt.datetime(2022, 3, 31, tzinfo=dt.UTC)
    n_events_in_window = 0
    with open(tmp_path / "f" / "feed.jsonl", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            assert parse_datetime(o["recorded_at"]) < last, o
            if o["kind"] == "event" and parse_datetime(o["at"]) >= start:
                n_events_in_window += 1
    assert n_events_in_window > 100


def test_progress_is_reported(tmp_path):
    seen = []
    generate(3000, 1, tmp_path / "p", progress=lambda done, total: seen.append((done, total)), years=1)
    assert seen[-1] == (3000, 3000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --- the feed ----------------------------------------------------------------------------------


def test_every_line_obeys_the_feed_schema(force):
    check = force["check"]
    assert check.lines > 10_000
    assert check.errors == []


def test_schema_check_catches_mistakes(tmp_path):
    bad = [
        {
            "kind": "person",
            "source": "police",
            "id": "P1",
            "recorded_at": "2024-01-01T10:00:00",
            "family_name": "X",
        },
        {
            "kind": "person",
            "source": "police",
            "id": "P2",
            "recorded_at": "2024-01-01T10:00:00Z",
            "family_name": "X",
            "dob": "1990-13-02",
        },
        {
            "kind": "person",
            "source": "police",
            "id": "P3",
            "recorded_at": "2024-01-01T10:00:00Z",
            "family_name": "X",
            "nickname": "Y",
        },
        {
            "kind": "event",
            "source": "police",
            "id": "E1",
            "recorded_at": "2024-01-01T10:00:00Z",
            "type": "offence",
            "at": "2024-01-01T09:00:00Z",
            "subjects": [{"person": "P9", "role": "suspect"}],
            "attributes": {"category": "theft"},
        },
        {
            "kind": "event",
            "source": "police",
            "id": "E2",
            "recorded_at": "2024-01-01T10:00:00Z",
            "type": "arrest",
            "at": "2024-01-01T09:00:00Z",
            "subjects": [{"person": "P2", "role": "arrested"}],
            "attributes": {"offence": "E2"},
        },
        {
            "kind": "person_location",
            "source": "csc",
            "id": "L1",
            "recorded_at": "2024-01-01T10:00:00Z",
            "person": "C1",
            "location": "CL1",
            "role": "lives",
        },
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(b) for b in bad) + "\n", encoding="utf-8")
    errors = "\n".join(FeedCheck(path).errors)
    for expected in (
        "line 1: recorded_at",
        "dob '1990-13-02'",
        "unknown fields ['nickname']",
        "category = 'theft'",
        "police/P9 does not resolve",
        "is a arrest, wanted ['offence']",
        "role 'lives'",
        "csc/C1 does not resolve",
    ):
        assert expected in errors, expected


def test_records_come_from_the_six_sources_with_versions(force):
    check = force["check"]
    sources = Counter(src for src, _kind, _id in check.records)
    assert set(sources) == {"police", "csc", "health", "education", "probation", "visor"}
    versions = Counter(kind for (_s, kind, _i), v in check.records.items() if len(v) > 1)
    assert versions["event"] > 100  # missing episodes found, referrals decided, offences charged ...
    assert versions["person_location"] > 50  # moves: a link closed with `to`
    # missing episodes are sent open and re-sent with ends_at
    episodes = [
        v for (_s, k, _i), v in check.records.items() if k == "event" and v[0]["type"] == "missing_episode"
    ]
    assert any(v[0]["ends_at"] is None and v[-1]["ends_at"] for v in episodes)
    referrals = [v for (_s, k, _i), v in check.records.items() if k == "event" and v[0]["type"] == "referral"]
    assert any(
        v[0]["attributes"]["decision"] == "none_yet" and v[-1]["attributes"]["decision"] != "none_yet"
        for v in referrals
    )


def test_identifiers_and_realistic_errors_appear(force):
    check = force["check"]
    persons = [v[0] for (_s, k, _i), v in check.records.items() if k == "person"]
    ids = Counter(k for p in persons for k in p.get("identifiers", {}))
    assert ids["nhs"] > 300 and ids["pnc"] > 50 and ids["upn"] > 200
    dobs = Counter(len(p["dob"]) if p.get("dob") else 0 for p in persons)
    assert dobs[4] > 0 and dobs[7] > 0 and dobs[0] > 0  # YYYY, YYYY-MM and unknown
    locs = [v[0] for (_s, k, _i), v in check.records.items() if k == "location"]
    assert any("/" in loc["address"] for loc in locs)  # "2/10 Mill St"
    assert any(loc.get("postcode") and " " not in loc["postcode"] for loc in locs)
    vague = [loc for loc in locs if not any(ch.isdigit() for ch in loc["address"])]
    assert vague  # "Corby area", "NFA" bail addresses


# --- ground truth --------------------------------------------------------------------------------


def test_truth_covers_every_person_and_location_record(force):
    check = force["check"]
    feed = {(s, k, i) for (s, k, i) in check.records if k in ("person", "location")}
    truth = {(r["source"], r["kind"], r["id"]) for r in force["rows"]}
    assert feed == truth
    assert all(r["truth_id"] for r in force["rows"])
    assert len(truth) == len(force["rows"])


def test_same_person_across_sources_with_variation(force):
    check = force["check"]
    by_truth = defaultdict(list)
    for r in force["rows"]:
        if r["kind"] == "person":
            by_truth[r["truth_id"]].append(check.records[(r["source"], "person", r["id"])][0])
    multi = [v for v in by_truth.values() if len({p["source"] for p in v}) >= 3]
    assert len(multi) > 50
    differing = [
        v for v in multi if len({(p.get("given_names"), p.get("family_name"), p.get("dob")) for p in v}) > 1
    ]
    assert len(differing) > len(multi) * 0.3


def test_traps_twins_and_same_name_parent_child(force):
    check = force["check"]
    traps = defaultdict(set)
    for r in force["rows"]:
        for t in filter(None, r["traps"].split(";")):
            traps[t].add(r["truth_id"])
    assert len(traps["twin"]) >= 2
    assert len(traps["same_name_parent_child"]) >= 2
    assert traps["common_name"]
    # a twin pair: same surname and date of birth, different forenames, as held by one source
    twins = defaultdict(list)
    for r in force["rows"]:
        if "twin" in r["traps"] and r["kind"] == "person":
            p = check.records[(r["source"], "person", r["id"])][0]
            twins[(r["source"], (p.get("family_name") or "").lower(), p.get("dob"))].append(
                (r["truth_id"], p.get("given_names"))
            )
    assert any(len({t for t, _ in v}) >= 2 for v in twins.values())


def test_situations_reference_records_that_exist(force):
    check = force["check"]
    people = {r["truth_id"] for r in force["rows"] if r["kind"] == "person"}
    rules = Counter()
    for s in force["situations"]:
        rules[s["rule"]] += 1
        assert s["rule"] in RULES
        assert s["evidence"], s
        for e in s["evidence"]:
            assert (e["source"], e["kind"], e["id"]) in check.records, (s["id"], e)
        for sub in s["subjects"]:
            assert sub["person"] in people, (s["id"], sub)
        true_at = parse_datetime(s["true_at"])
        assert true_at is not None
        if s["due_at"] is None:
            assert s["acted_in_time"] is None
        else:
            assert s["acted_in_time"] == (s["acted_at"] is not None and s["acted_at"] <= s["due_at"])
        if s["acted_at"] is not None:
            assert parse_datetime(s["acted_at"]) >= true_at, s
    assert len({s["id"] for s in force["situations"]}) == len(force["situations"])
    # the common situations are all planted at this size
    for rule in (
        "RISKY-ADULT-CHILD",
        "ENCOMPASS",
        "DA-MARAC",
        "REFERRAL-DECISION",
        "ASSESSMENT-45",
        "RHI-72H",
        "BAIL-ADDRESS",
        "BAIL-EXPIRY",
        "REOFFEND-REASSESS",
        "CP-VISIT",
        "RSO-VISIT",
        "ICPC-15",
    ):
        assert rules[rule] > 0, rule


def test_situations_are_acted_on_mostly_in_time_not_always(force):
    by_rule = defaultdict(Counter)
    for s in force["situations"]:
        by_rule[s["rule"]]["in" if s["acted_in_time"] else "late" if s["acted_at"] else "none"] += 1
    for rule in ("REFERRAL-DECISION", "ENCOMPASS", "RHI-72H"):
        c = by_rule[rule]
        total = sum(c.values())
        assert 0.5 < c["in"] / total < 0.98, (rule, c)
        assert c["late"] + c["none"] > 0, rule


def test_core_pattern_mums_partner(force):
    """The violent new partner: health holds him as mum's partner, police by his full name."""
    sits = [
        s
        for s in force["situations"]
        if s["rule"] == "RISKY-ADULT-CHILD" and s["pattern"] == "new partner with a risk marker"
    ]
    assert sits
    rows = defaultdict(list)
    for r in force["rows"]:
        rows[r["truth_id"]].append(r)
    adults = {s["subjects"][0]["person"] for s in sits}
    assert any({"police", "health"} <= {r["source"] for r in rows[a]} for a in adults)


def test_summary_counts_match_the_files(force):
    s = json.loads((force["out"] / "truth" / "summary.json").read_text())
    check = force["check"]
    assert (
        s["lines"]["event"]
        + s["lines"]["person"]
        + s["lines"]["location"]
        + s["lines"]["person_location"]
        + s["lines"]["relationship"]
        == check.lines
    )
    assert s["records"]["person"] == sum(1 for k in check.records if k[1] == "person")
    assert sum(v["total"] for v in s["situations"].values()) == len(force["situations"])
    assert (
        s["true_people"]
        == len({r["truth_id"] for r in force["rows"] if r["kind"] == "person"}) + s["people_without_records"]
    )


# --- proportions (docs/synthetic-data.md) ------------------------------------------------------


def test_proportions_roughly_as_documented(force):
    s = force["summary"]
    js = s.as_json()
    assert 1.55 <= js["person_records_per_person"] <= 1.85
    assert 4.0 <= js["event_lines_per_person"] <= 6.0
    ev = s.events_by_type
    years = 6
    da_per_1000 = ev["domestic_abuse_incident"] / s.true_people * 1000 / years
    assert 10 <= da_per_1000 <= 40  # police-recorded DA: about 25 per 1,000 people a year
    referrals_per_child = ev["referral"] / (s.true_people * 0.45) / years
    assert 0.03 <= referrals_per_child <= 0.12  # DfE: 5.4 per 100 children a year
    assert 0 <= ev.get("rso_registration", 0) <= 10  # about 1.2 per 1,000 people
    # missing episodes are concentrated in a few children
    check = force["check"]
    per_child = Counter()
    for (_s, k, _i), v in check.records.items():
        if k == "event" and v[0]["type"] == "missing_episode":
            per_child[v[0]["subjects"][0]["person"]] += 1
    counts = sorted(per_child.values(), reverse=True)
    top = counts[: max(1, len(counts) // 5)]
    assert sum(top) >= 0.4 * sum(counts)
    # households: most people live in families with children
    kids = sum(
        1 for (_s, k, _i), v in check.records.items() if k == "person" and v[0]["source"] == "education"
    )
    assert kids > 0.2 * s.true_people


# --- the command ---------------------------------------------------------------------------------


def test_management_command(tmp_path, capsys):
    from django.core.management import call_command

    call_command(
        "generate",
        "--people",
        "300",
        "--seed",
        "5",
        "--out",
        str(tmp_path / "cmd"),
        "--end",
        "2025-06-30",
        "--years",
        "3",
    )
    out = capsys.readouterr().out
    assert "feed.jsonl" in out and "planted situations" in out
    for name in FILES:
        assert (tmp_path / "cmd" / name).exists(), name
    summary = json.loads((tmp_path / "cmd" / "truth" / "summary.json").read_text())
    assert summary["end"] == "2025-06-30" and summary["years"] == 3 and summary["people"] == 300


def test_management_command_rejects_bad_dates(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("generate", "--people", "10", "--out", str(tmp_path), "--end", "2025-13-01")


def _working_days_after(moment: dt.datetime, n: int) -> dt.datetime:
    import holidays

    london = ZoneInfo("Europe/London")
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(moment.year - 1, moment.year + 2))
    local = moment.astimezone(london)
    d, k = local.date(), 0
    while k < n:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in hols:
            k += 1
    return dt.datetime.combine(d, local.time(), london)


def test_due_times_follow_the_rules_from_the_evidence(force):
    """Recompute due times from the evidence records with zoneinfo and the holidays package."""
    check = force["check"]
    checked = Counter()
    for s in force["situations"]:
        e = s["evidence"][0]
        versions = check.records[(e["source"], e["kind"], e["id"])]
        due = parse_datetime(s["due_at"]) if s["due_at"] else None
        if s["rule"] == "REFERRAL-DECISION":
            assert due == _working_days_after(parse_datetime(versions[0]["at"]), 1)
        elif s["rule"] == "RHI-72H":
            ended = next(v for v in versions if v.get("ends_at"))
            assert due == parse_datetime(ended["ends_at"]) + dt.timedelta(hours=72)
            assert s["true_at"] == parse_datetime(ended["recorded_at"]).astimezone(dt.UTC).isoformat()
        elif s["rule"] == "ONLINE-ACTION":
            tri = next(v for v in versions if v["attributes"].get("kirat_level"))
            hours = {"very_high": 24, "high": 168, "medium": 336, "low": 720}[
                tri["attributes"]["kirat_level"]
            ]
            assert due == parse_datetime(tri["attributes"]["triaged_at"]) + dt.timedelta(hours=hours)
        elif s["rule"] == "ICPC-15":
            assert due == _working_days_after(parse_datetime(versions[0]["at"]), 15)
        elif s["rule"] == "DA-MARAC":
            assert due == _working_days_after(parse_datetime(versions[0]["recorded_at"]), 2)
        elif s["rule"] == "ENCOMPASS":
            at = parse_datetime(versions[0]["at"])
            nxt = _working_days_after(at.replace(hour=12), 1)
            assert due == nxt.replace(hour=9, minute=0, second=0)
        else:
            continue
        checked[s["rule"]] += 1
    assert len(checked) >= 5, checked


def test_references_point_at_records_already_on_record(force):
    """As of any moment, what a record refers to is already known: no reference to a record first
    recorded later, and an offence's versions go suspected -> charged -> outcome in recorded time."""
    check = force["check"]
    first = {k: min(parse_datetime(v["recorded_at"]) for v in vs) for k, vs in check.records.items()}
    late = Counter()

    def ref(o, value, kind, what):
        key = (o["source"], kind, value) if isinstance(value, str) else (value["source"], kind, value["id"])
        if first[key] > parse_datetime(o["recorded_at"]):
            late[(o.get("type", o["kind"]), what)] += 1

    for vs in check.records.values():
        for o in vs:
            if o["kind"] in ("person_location", "relationship"):
                ref(o, o["person"], "person", "person")
                if o["kind"] == "person_location":
                    ref(o, o["location"], "location", "location")
                else:
                    ref(o, o["other"], "person", "other")
            elif o["kind"] == "event":
                for s in o["subjects"]:
                    ref(o, s["person"], "person", "subject")
                if "location" in o:
                    ref(o, o["location"], "location", "location")
                for f in ("offence", "order", "bail", "episode", "incident", "referral"):
                    if f in o.get("attributes", {}):
                        ref(o, o["attributes"][f], "event", f)
    assert not late, late
    rank = {"suspected": 0, "charged": 1}
    for (_s, kind, _i), vs in check.records.items():
        if kind == "event" and vs[0]["type"] == "offence":
            seq = [
                rank.get(v["attributes"]["outcome"], 2)
                for v in sorted(vs, key=lambda v: parse_datetime(v["recorded_at"]))
            ]
            assert seq == sorted(seq), vs


def test_events_happen_before_they_are_recorded(force):
    check = force["check"]
    for vs in check.records.values():
        for o in vs:
            if o["kind"] != "event":
                continue
            rec = parse_datetime(o["recorded_at"])
            assert parse_datetime(o["at"]) <= rec, o
            if o.get("ends_at"):
                assert parse_datetime(o["ends_at"]) <= rec, o
            a = o.get("attributes", {})
            for k in ("outcome_at", "decided_at", "completed_at", "triaged_at", "actioned_at", "offered_at"):
                if a.get(k):
                    assert parse_datetime(a[k]) <= rec, (k, o)
            if a.get("offered_at") and a.get("completed_at"):
                assert a["offered_at"] <= a["completed_at"] or parse_datetime(
                    a["offered_at"]
                ) <= parse_datetime(a["completed_at"])


def test_missing_children_are_children(force):
    """Every missing episode is of someone under 18 at its start (judged by the records' dates of birth)."""
    check = force["check"]
    n = 0
    for (_s, kind, _i), vs in check.records.items():
        if kind != "event" or vs[0]["type"] != "missing_episode":
            continue
        subj = vs[0]["subjects"][0]["person"]
        key = (
            (vs[0]["source"], "person", subj)
            if isinstance(subj, str)
            else (subj["source"], "person", subj["id"])
        )
        dob = check.records[key][0].get("dob")
        if dob and len(dob) == 10:
            born = dt.date.fromisoformat(dob)
            started = parse_datetime(vs[0]["at"]).date()
            assert (started.year - born.year) - (
                (started.month, started.day) < (born.month, born.day)
            ) < 18 + 1, vs[0]
            n += 1
    assert n > 10
