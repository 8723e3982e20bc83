"""Generate a synthetic force: a feed (feed format version 1) and its ground truth.

The population is cut into chunks of a few thousand people. Each chunk is generated from its own
``random.Random`` (seeded from the seed and the chunk number) into part files, which are joined
in chunk order, so the output depends only on (people, seed, end, years) - not on the number of
worker processes, the machine or the time of day - and memory stays bounded however big N is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import crime, family, missing, online, population, rso, sources, truth
from . import places as PL
from . import timeutil as T
from .core import Chunk

DEFAULT_END = dt.date(2026, 10, 31)
DEFAULT_YEARS = 6
CHUNK_PEOPLE = 2500

# The default mix. Every figure is explained in docs/synthetic-data.md.
CONFIG = {
    "household_mix": {
        "couple": 0.42,
        "lone_mother": 0.20,
        "lone_father": 0.025,
        "single_man": 0.20,
        "single_woman": 0.085,
        "older_couple": 0.12,
    },
    "twin_rate": 0.015,  # ONS: about 15 multiple maternities per 1,000
    "junior_rate": 0.03,  # assumption: a son given his father's forename
    "move_rate": 0.09,  # moves per household per year (English Housing Survey, about 9-10%)
    "separation_rate": 0.03,
    "new_partner_rate": 0.07,
    "violent_partner_share": 0.35,
    "offender_rate_male": 0.22,  # MoJ conviction histories: about a third of men, 9% of women
    "offender_rate_female": 0.07,
    "exploiter_rate": 0.004,
    "victim_rate": 0.15,  # crimes with no identified suspect, per person aged 12+ per year
    "bail_vague_share": 0.10,
    "bail_unverified_share": 0.06,
    "breach_rate": 0.3,
    "da_rate_couple": 0.2,
    "da_rate_violent": 0.7,
    "referral_rate": 0.045,  # per child per year (DfE CIN: 544.9 referrals per 10,000 children)
    "police_protection_rate": 0.004,
    "care_rate": 0.012,
    "missing_rate": 0.012,  # per child aged 10-17 per year
    "missing_rate_care": 0.11,  # DfE: 11% of looked-after children go missing in a year
    "found_at_risk_share": 0.08,
    "rso_rate": 0.0012,  # MoJ MAPPA: about 118 registered sex offenders per 100,000 people
    "rso_nfa_share": 0.05,
    "rso_partner_share": 0.12,
    "online_rate": 0.0003,  # NCA: 20,000+ referrals a year to UK forces, about 30 per 100,000 people
    "dwellings_per_chunk": 5000,
}


@dataclass
class Summary:
    out_dir: str
    people: int
    seed: int
    end: str
    years: int
    chunks: int
    records: dict = field(default_factory=dict)  # kind -> distinct records
    lines: dict = field(default_factory=dict)  # kind -> lines (versions)
    by_source: dict = field(default_factory=dict)  # "source/kind" -> distinct records
    events_by_type: dict = field(default_factory=dict)
    situations: dict = field(
        default_factory=dict
    )  # rule -> {"total", "acted_in_time", "acted_late", "not_acted"}
    traps: dict = field(default_factory=dict)
    true_people: int = 0
    people_without_records: int = 0  # true people no agency holds a record of (household members)
    true_places: int = 0
    feed_bytes: int = 0
    seconds: float = 0.0

    @property
    def person_records(self) -> int:
        return self.records.get("person", 0)

    @property
    def event_records(self) -> int:
        return self.records.get("event", 0)

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("seconds")
        d.pop("out_dir")
        d["person_records_per_person"] = round(self.person_records / max(1, self.true_people), 3)
        d["event_lines_per_person"] = round(self.lines.get("event", 0) / max(1, self.true_people), 3)
        d["event_lines_per_person_record"] = round(
            self.lines.get("event", 0) / max(1, self.person_records), 3
        )
        return d


def _schools(people: int) -> dict:
    kids = people * 0.45
    n_primary = max(3, round(kids * 7 / 18 / 260))
    n_secondary = max(2, round(kids * 7 / 18 / 950))
    n_nursery = max(2, n_primary // 2)
    out = {}
    for phase, n, prefix in (
        ("primary", n_primary, "ESP"),
        ("secondary", n_secondary, "ESS"),
        ("nursery", n_nursery, "ESN"),
    ):
        rows = []
        for k in range(n):
            name, town = PL.school_name(k, phase)
            rows.append((f"SCH{prefix[-1]}{k + 1}", f"{prefix}{k + 1}", town, name))
        out[phase] = rows
    by_town: dict = {}
    for phase in ("primary", "secondary", "nursery"):
        for row in out[phase]:
            by_town.setdefault((phase, row[2]), []).append(row)
    out["by_town"] = by_town
    return out


def _preamble(schools: dict, start_ts: int) -> tuple[list[str], list[tuple]]:
    """Schools and nurseries: one education location record each, shared by every chunk."""
    lines, rows = [], []
    town_streets: dict[int, list[int]] = {}
    for i, s in enumerate(PL.STREETS):
        if not s.flats:
            town_streets.setdefault(s.town, []).append(i)
    for phase in ("primary", "secondary", "nursery"):
        for pid, rid, town, name in schools[phase]:
            k = int(rid[3:])
            streets = town_streets.get(town) or [0]
            s = streets[(k * 37 + len(phase)) % len(streets)]
            street = PL.STREETS[s]
            number = 1 + (k * 13) % 120
            line = f"{name}, {number} {street.full}, {PL.TOWNS[town][0]}"
            uprn = str(200_000_000_000 + k * 10 + {"primary": 1, "secondary": 2, "nursery": 3}[phase])
            obj = {
                "kind": "location",
                "source": "education",
                "id": rid,
                "recorded_at": T.fmt_london(start_ts - 400 * T.DAY),
                "address": line,
                "postcode": PL.POSTCODES[s],
                "uprn": uprn,
                "location_type": "school",
            }
            lines.append(json.dumps(obj, ensure_ascii=False))
            rows.append(("education", "location", rid, pid, ""))
    return lines, rows


def _run_chunk(args: tuple) -> dict:
    seed, index, n_people, start_day, end_day, cfg, shared, part_dir = args
    return _write_chunk(build_chunk(seed, index, n_people, start_day, end_day, cfg, shared), part_dir)


def build_chunk(seed: int, index: int, n_people: int, start_day: int, end_day: int, cfg: dict, shared: dict) -> Chunk:
    """One chunk of the force, generated and its truth derived, before it is written out."""
    ch = Chunk(seed, index, n_people, start_day, end_day, cfg, shared)
    households = population.build(ch, before_histories=crime.plan_offending)
    rso.plan(ch, households)
    ch.index_residents()
    for c, day, _place in ch.care:
        ch.care_spans[c.tid] = (day, ch.care_ends.get(c.tid, T.INF))
    sources.cover(ch, households)
    sources.record_partners(ch)
    crime.run(ch)
    family.domestic_abuse(ch)
    crime.victimisation(ch)
    family.social_care(ch, households)
    rso.run(ch)
    missing.run(ch)
    online.run(ch)
    truth.derive(ch)
    ch.flush_persons()
    ch.flush_locations()
    return ch


def _write_chunk(ch: Chunk, part_dir: Path) -> dict:
    ch.lines.sort()
    feed = part_dir / f"feed-{ch.index:05d}.jsonl"
    with open(feed, "w", encoding="utf-8") as f:
        for k in range(0, len(ch.lines), 5000):
            f.write("\n".join(x[3] for x in ch.lines[k : k + 5000]) + "\n")
    ch.lines = []
    distinct = Counter()
    for key, n in ch.n_distinct.items():
        distinct[key.split("/", 1)[1]] += n
    lines, by_source, ev_types = ch.n_lines, ch.n_distinct, ch.n_types
    traps = Counter()
    with open(part_dir / f"records-{ch.index:05d}.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for row in ch.truth_rows:
            w.writerow(row)
            for t in row[4].split(";") if row[4] else ():
                traps[t] += 1
    sit = {}
    with open(part_dir / f"situations-{ch.index:05d}.jsonl", "w", encoding="utf-8") as f:
        for i, s in enumerate(ch.situations):
            s.pop("_sat", None)
            due, acted = s["due_at"], s["acted_at"]
            if acted is not None and acted > ch.end_ts:
                acted = None
            in_time = None if due is None else (acted is not None and acted <= due)
            out = {
                "id": f"S{ch.index:04d}-{i + 1:05d}",
                "rule": s["rule"],
                "key": s["key"],
                "true_at": T.fmt_utc(s["true_at"]),
                "due_at": T.fmt_utc(due) if due is not None else None,
                "acted_at": T.fmt_utc(acted) if acted is not None else None,
                "acted_in_time": in_time,
                "subjects": s["subjects"],
                "evidence": s["evidence"],
                "pattern": s["pattern"],
            }
            if s.get("new_record"):
                out["new_record"] = True
            f.write(json.dumps(out, ensure_ascii=False) + "\n")
            r = sit.setdefault(s["rule"], {"total": 0, "acted_in_time": 0, "acted_late": 0, "not_acted": 0})
            r["total"] += 1
            if acted is None:
                r["not_acted"] += 1
            elif in_time is False:
                r["acted_late"] += 1
            else:
                r["acted_in_time"] += 1
    return {
        "index": ch.index,
        "lines": dict(lines),
        "distinct": dict(distinct),
        "by_source": dict(by_source),
        "events": dict(ev_types),
        "situations": sit,
        "traps": dict(traps),
        "people": len(ch.people),
        "unrecorded": sum(1 for p in ch.people if not p.recs),
        "places": len({r[3] for r in ch.truth_rows if r[1] == "location"}),
    }


def generate(
    people: int,
    seed: int,
    out_dir: Path,
    end: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    years: int = DEFAULT_YEARS,
    workers: int | None = None,
) -> Summary:
    """Write ``out_dir``/feed.jsonl and ``out_dir``/truth/ for a force of about ``people`` people."""
    started = time.perf_counter()
    if people < 1:
        raise ValueError("people must be at least 1")
    if years < 1:
        raise ValueError("years must be at least 1")
    end = end or DEFAULT_END
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir = out_dir / "truth"
    truth_dir.mkdir(exist_ok=True)
    part_dir = out_dir / ".parts"
    if part_dir.exists():
        shutil.rmtree(part_dir)
    part_dir.mkdir()
    end_day = end.toordinal()
    start_day = T.add_months_day(end_day, -12 * years)
    n_chunks = max(1, -(-people // CHUNK_PEOPLE))
    sizes = [people // n_chunks + (1 if i < people % n_chunks else 0) for i in range(n_chunks)]
    cfg = dict(CONFIG)
    shared = {"schools": _schools(people)}
    summary = Summary(str(out_dir), people, seed, end.isoformat(), years, n_chunks)
    # schools are on record long before anyone's history starts
    pre_lines, pre_rows = _preamble(shared["schools"], T.london_time(end_day - 30 * 365, 9 * 3600))
    tasks = [(seed, i, sizes[i], start_day, end_day, cfg, shared, part_dir) for i in range(n_chunks)]
    workers = workers or min(n_chunks, os.cpu_count() or 1)
    feed_path = out_dir / "feed.jsonl"
    totals = {
        "lines": Counter(),
        "distinct": Counter(),
        "by_source": Counter(),
        "events": Counter(),
        "traps": Counter(),
    }
    sits: dict[str, Counter] = {}
    done_people = 0
    with (
        open(feed_path, "w", encoding="utf-8") as feed,
        open(truth_dir / "records.csv", "w", encoding="utf-8", newline="") as rec_f,
        open(truth_dir / "situations.jsonl", "w", encoding="utf-8") as sit_f,
    ):
        rec_f.write("source,kind,id,truth_id,traps\n")
        feed.write("\n".join(pre_lines) + "\n")
        w = csv.writer(rec_f, lineterminator="\n")
        for row in pre_rows:
            w.writerow(row)
        totals["lines"]["location"] += len(pre_lines)
        totals["distinct"]["location"] += len(pre_lines)
        totals["by_source"]["education/location"] += len(pre_lines)
        places = len(pre_rows)
        for res in _map(tasks, workers):
            i = res["index"]
            for name, dst in (("feed", feed), ("records", rec_f), ("situations", sit_f)):
                ext = "csv" if name == "records" else "jsonl"
                part = part_dir / f"{name}-{i:05d}.{ext}"
                with open(part, encoding="utf-8") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
                part.unlink()
            for k in ("lines", "distinct", "by_source", "events", "traps"):
                totals[k].update(res[k])
            for rule, c in res["situations"].items():
                sits.setdefault(rule, Counter()).update(c)
            summary.true_people += res["people"]
            summary.people_without_records += res["unrecorded"]
            places += res["places"]
            done_people += sizes[i]
            if progress is not None:
                progress(done_people, people)
    shutil.rmtree(part_dir, ignore_errors=True)
    summary.records = dict(sorted(totals["distinct"].items()))
    summary.lines = dict(sorted(totals["lines"].items()))
    summary.by_source = dict(sorted(totals["by_source"].items()))
    summary.events_by_type = dict(sorted(totals["events"].items()))
    summary.traps = dict(sorted(totals["traps"].items()))
    summary.situations = {k: dict(v) for k, v in sorted(sits.items())}
    summary.true_places = places
    summary.feed_bytes = feed_path.stat().st_size
    with open(truth_dir / "summary.json", "w", encoding="utf-8") as f:
        json.dump(summary.as_json(), f, indent=1, sort_keys=True)
        f.write("\n")
    summary.seconds = time.perf_counter() - started
    return summary


def _map(tasks: list[tuple], workers: int):
    if workers <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield _run_chunk(t)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        # submit a bounded window ahead so that finished parts do not pile up on disk
        pending = {}
        nxt = 0
        for i in range(len(tasks)):
            while nxt < len(tasks) and nxt < i + workers * 2:
                pending[nxt] = ex.submit(_run_chunk, tasks[nxt])
                nxt += 1
            yield pending.pop(i).result()
