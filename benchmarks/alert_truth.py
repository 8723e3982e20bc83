"""Alert recall and precision on generated data (issue 7): the alerts a database holds against
the situations `safeguard generate` planted (`truth/situations.jsonl`, docs/synthetic-data.md).

    DATABASE_URL=sqlite:///data/demo.sqlite3 .venv/bin/python benchmarks/alert_truth.py data/demo-feed/truth

The database must hold that feed, linked and evaluated (the demo's, or any `generate` + `ingest` +
`link` + `evaluate`). An alert and a situation match when they are of the same rule and share an
evidence record (source, kind and id as fed), or, failing that, a person (the alert's subjects
mapped to true people through their source records) with the alert raised within two days of the
situation's `true_at`; where both name people, they must share the person of the situation's first
role (the adult of RISKY-ADULT-CHILD, the child of ENCOMPASS) if the alert names anyone in that
role, else any person. Each alert matches at most one situation and each situation one alert:
pairs are taken nearest in time first, over all alerts at once. Only situations that came true,
and alerts raised, by the history's last day count: the truth ends there, the rules' clocks do not.

Recall: situations with an alert. Precision: alerts with a situation. The truth's linkage is
perfect, Safeguard's is not, and the truth has known simplifications (docs/synthetic-data.md), so
neither is expected to be exactly 1. Nothing here runs the rules: it reads what is stored.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from safeguard.alerts.models import Alert, AlertEvidence, AlertSubject  # noqa: E402
from safeguard.linkage.models import PersonMembership  # noqa: E402
from safeguard.records.models import SourceRecord  # noqa: E402

NEAR = dt.timedelta(days=2)
NOT_PLANTED = {"SUPERVISION-DUE", "INVESTIGATION-STALE"}


def load_truth(folder: Path, end: dt.datetime) -> tuple[dict, list[dict]]:
    people: dict[tuple[str, str], str] = {}
    with (folder / "records.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "person":
                people[(row["source"], row["id"])] = row["truth_id"]
    situations = []
    with (folder / "situations.jsonl").open() as handle:
        for line in handle:
            s = json.loads(line)
            s["true_at"] = dt.datetime.fromisoformat(s["true_at"])
            if s["true_at"] <= end:
                situations.append(s)
    return people, situations


def stored_alerts(people: dict, end: dt.datetime) -> list[dict]:
    refs = {pk: (source, kind, ext) for pk, source, kind, ext in
            SourceRecord.objects.values_list("pk", "source__code", "kind", "ext_id").iterator(chunk_size=20000)}
    truth_of_person: dict[int, str] = {}
    votes: dict[int, Counter] = defaultdict(Counter)
    for record, person in PersonMembership.objects.values_list("record_id", "person_id").iterator(chunk_size=20000):
        source, _, ext = refs[record]
        if (source, ext) in people:
            votes[person][people[(source, ext)]] += 1
    for person, counted in votes.items():
        truth_of_person[person] = counted.most_common(1)[0][0]
    alerts = {pk: {"pk": pk, "rule": rule, "raised_at": raised, "evidence": set(), "people": set(), "roles": {}}
              for pk, rule, raised in Alert.objects.filter(raised_at__lte=end).values_list("pk", "rule", "raised_at")}
    for alert, record in AlertEvidence.objects.values_list("alert_id", "record_id").iterator(chunk_size=20000):
        if alert in alerts and record in refs:
            alerts[alert]["evidence"].add(refs[record])
    for alert, person, role in AlertSubject.objects.values_list("alert_id", "person_id", "role").iterator(chunk_size=20000):
        if alert in alerts and person in truth_of_person:
            alerts[alert]["people"].add(truth_of_person[person])
            alerts[alert]["roles"].setdefault(role, set()).add(truth_of_person[person])
    return list(alerts.values())


def pair(situations: list[dict], alerts: list[dict]) -> dict[int, int]:
    """alert index -> the index of the situation it matches."""
    by_evidence: dict[tuple, list[int]] = defaultdict(list)
    by_person: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, s in enumerate(situations):
        for e in s["evidence"]:
            by_evidence[(s["rule"], e["source"], e["kind"], e["id"])].append(i)
        for subject in s["subjects"]:
            by_person[(s["rule"], subject["person"])].append(i)
    people_of = [{subject["person"] for subject in s["subjects"]} for s in situations]
    # The situation's first subject is the one its key is about (the adult of RISKY-ADULT-CHILD, the
    # child of ENCOMPASS): an alert that names people in that role must name the same person, so
    # that two risky adults in one child's home do not each match the other's situation through
    # the child they share.
    first_of = [(s["subjects"][0]["role"], {x["person"] for x in s["subjects"] if x["role"] == s["subjects"][0]["role"]})
                if s["subjects"] else ("", set()) for s in situations]

    def same_people(alert: dict, i: int) -> bool:
        if not alert["people"]:
            return True
        role, people = first_of[i]
        named = alert["roles"].get(role)
        return bool(named & people) if named else bool(alert["people"] & people_of[i])

    # Every (alert, situation) pair that may match: sharing an evidence record (and a person, where
    # both name people), or, for an alert with no such situation, sharing a person within two days;
    # then pairs are taken nearest in time first, over all alerts at once. (Taken alert by alert in
    # raised order, a re-raised alert with no situation of its own took the nearest situation it
    # shared any record with: every RISKY-ADULT-CHILD situation of an adult and a location shares
    # the address records, so a re-raise in 2023 took the situation planted in 2026 and left the
    # alert raised with it, at the same second, unmatched.)
    pairs: list[tuple[dt.timedelta, dt.datetime, int, int]] = []
    for a, alert in enumerate(alerts):
        rule = alert["rule"]
        candidates = {i for ref in alert["evidence"] for i in by_evidence.get((rule, *ref), ()) if same_people(alert, i)}
        if not candidates:
            candidates = {i for p in alert["people"] for i in by_person.get((rule, p), ())
                          if abs(situations[i]["true_at"] - alert["raised_at"]) <= NEAR and same_people(alert, i)}
        pairs.extend((abs(situations[i]["true_at"] - alert["raised_at"]), alert["raised_at"], a, i) for i in candidates)
    pairs.sort()
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, a, i in pairs:
        if a not in out and i not in taken:
            out[a] = i
            taken.add(i)
    return out


def match(situations: list[dict], alerts: list[dict]) -> dict[str, dict]:
    pairs = pair(situations, alerts)
    taken = set(pairs.values())
    lag: dict[str, list[float]] = defaultdict(list)
    matched_alerts: Counter = Counter()
    for a, i in pairs.items():
        alert = alerts[a]
        matched_alerts[alert["rule"]] += 1
        lag[alert["rule"]].append((alert["raised_at"] - situations[i]["true_at"]).total_seconds() / 3600)
    out: dict[str, dict] = {}
    planted = Counter(s["rule"] for s in situations)
    found = Counter(situations[i]["rule"] for i in taken)
    raised = Counter(a["rule"] for a in alerts)
    for rule in sorted(set(planted) | set(raised)):
        out[rule] = {"situations": planted[rule], "alerts": raised[rule], "matched": found[rule],
                     "recall": round(found[rule] / planted[rule], 4) if planted[rule] else None,
                     "precision": round(matched_alerts[rule] / raised[rule], 4) if raised[rule] else None,
                     "median_lag_hours": round(statistics.median(lag[rule]), 2) if lag[rule] else None}
    # Casework's rules are about investigations kept in Safeguard, never fed: nothing is planted.
    fed = [rule for rule in out if rule not in NOT_PLANTED]
    total_s, total_a = sum(planted[r] for r in fed), sum(raised[r] for r in fed)
    total_m, total_am = sum(found[r] for r in fed), sum(matched_alerts[r] for r in fed)
    out["all fed rules"] = {"situations": total_s, "alerts": total_a, "matched": total_m,
                            "recall": round(total_m / total_s, 4) if total_s else None,
                            "precision": round(total_am / total_a, 4) if total_a else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("truth", type=Path, help="the generated feed's truth folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = json.loads((args.truth / "summary.json").read_text())
    end = dt.datetime.combine(dt.date.fromisoformat(summary["end"]), dt.time.max, tzinfo=dt.UTC)
    people, situations = load_truth(args.truth, end)
    result = match(situations, stored_alerts(people, end))
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{'rule':26} {'situations':>10} {'alerts':>8} {'matched':>8} {'recall':>7} {'precision':>9} {'lag h':>7}")
    for rule, r in result.items():
        def f(v, spec):
            return format(v, spec) if v is not None else "-"
        print(f"{rule:26} {r['situations']:>10,} {r['alerts']:>8,} {r['matched']:>8,} {f(r['recall'], '7.3f')} "
              f"{f(r['precision'], '9.3f')} {f(r.get('median_lag_hours'), '7.1f')}")


if __name__ == "__main__":
    main()
