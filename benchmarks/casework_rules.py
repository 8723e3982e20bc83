"""Casework at scale: SUPERVISION-DUE and INVESTIGATION-STALE evaluated over every case's history
(set-based: four queries whatever the number of cases), a supervisor's team list, and the
number of queries a case page makes. Two sizes, to show how time grows.

    DATABASE_URL=sqlite:////tmp/sg_casework_bench.sqlite3 .venv/bin/python benchmarks/casework_rules.py \\
        [--cases 5000 20000] [--json]

The database is made afresh (migrated) and filled with synthetic cases by bulk inserts: each
with 1-2 children, 6-30 log entries over up to 200 days, reviews at about the cadence and some
actions. Use a database you may throw away.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safeguard.accounts.models import Organisation, Team, User  # noqa: E402
from safeguard.casework import rules as casework_rules  # noqa: E402
from safeguard.casework.models import (  # noqa: E402
    Action,
    Investigation,
    InvestigationLog,
    InvestigationSubject,
    SupervisoryReview,
)
from safeguard.casework.selectors import case_list, case_page  # noqa: E402
from safeguard.core.clock import now  # noqa: E402
from safeguard.linkage.models import ResolvedPerson  # noqa: E402
from safeguard.rules.engine import run_rule  # noqa: E402
from safeguard.rules.settings import RuleSettings  # noqa: E402
from safeguard.rules.world import World  # noqa: E402

CADENCE = {"high": 7, "medium": 14, "standard": 28}


def reset() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for code in ("investigator", "supervisor"):
        Group.objects.get_or_create(name=code)


def seed(count: int, rng: random.Random) -> tuple[User, int]:
    police = Organisation.objects.create(name="Bench Police", kind="police")
    teams = [Team.objects.create(organisation=police, name=f"Team {i}") for i in range(4)]
    officer = User.objects.create_user("bench-officer", organisation=police)
    officer.groups.add(Group.objects.get(name="investigator"))
    boss = User.objects.create_user("bench-sergeant", organisation=police)
    boss.groups.add(Group.objects.get(name="supervisor"))
    teams[0].supervisors.add(boss)
    moment = now()
    people = ResolvedPerson.objects.bulk_create([ResolvedPerson(created_at=moment) for _ in range(count)], batch_size=2000)
    cases = Investigation.objects.bulk_create([
        Investigation(reference=f"CP-B-{i:07d}", title="Bench case", category="neglect", risk_level=rng.choice(list(CADENCE)),
                      organisation=police, team=teams[i % 4], officer=officer,
                      opened_at=moment - dt.timedelta(days=rng.randint(1, 200)), opened_by=officer,
                      last_activity_at=moment) for i in range(count)], batch_size=2000)
    subjects, logs, actions, log_rows = [], [], [], 0
    for case, person in zip(cases, people, strict=True):
        subjects.append(InvestigationSubject(investigation=case, person=person, role="child", added_at=case.opened_at))
        logs.append(InvestigationLog(investigation=case, at=case.opened_at, actor=officer, kind="opened",
                                     data={"risk": case.risk_level}))
        at = case.opened_at
        for _ in range(rng.randint(5, 29)):
            at += dt.timedelta(days=rng.randint(1, 9))
            if at >= moment:
                break
            logs.append(InvestigationLog(investigation=case, at=at, actor=officer, kind="note", text="Activity"))
        if len(logs) > 20_000:
            log_rows += len(InvestigationLog.objects.bulk_create(logs, batch_size=5000))
            logs = []
    log_rows += len(InvestigationLog.objects.bulk_create(logs, batch_size=5000))
    InvestigationSubject.objects.bulk_create(subjects, batch_size=5000)
    reviews = []
    for case in cases:
        at = case.opened_at + dt.timedelta(days=CADENCE[case.risk_level] + rng.randint(-2, 6))
        while at < moment:
            reviews.append(SupervisoryReview(investigation=case, reviewer=boss, reviewed_at=at, scope="s", rationale="r"))
            at += dt.timedelta(days=CADENCE[case.risk_level] + rng.randint(-2, 6))
    SupervisoryReview.objects.bulk_create(reviews, batch_size=5000)
    for case in cases[::3]:
        actions.append(Action(investigation=case, description="Do it", owner=officer, due_at=moment + dt.timedelta(
            days=rng.randint(-10, 10)), created_at=case.opened_at, created_by=boss))
    Action.objects.bulk_create(actions, batch_size=5000)
    return boss, log_rows


def timed(fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def measure(count: int) -> dict:
    reset()
    rng = random.Random(count)  # noqa: S311 - reproducible synthetic data
    boss, log_rows = seed(count, rng)
    horizon = now()
    settings = RuleSettings()

    def evaluate_rules():
        world = World(horizon)
        return [a for code in ("SUPERVISION-DUE", "INVESTIGATION-STALE")
                for a in run_rule(casework_rules.SupervisionDue() if code == "SUPERVISION-DUE"
                                  else casework_rules.InvestigationStale(), world, settings)]

    with CaptureQueriesContext(connection) as rule_queries:
        alerts, rule_seconds, rule_mib = timed(evaluate_rules)
    listing, list_seconds, _ = timed(lambda: case_list(boss, tab="team"))
    case = Investigation.objects.filter(team__supervisors=boss).first()
    with CaptureQueriesContext(connection) as page_queries:
        case_page(boss, case.pk)
    return {"cases": count, "log_entries": log_rows, "reviews": SupervisoryReview.objects.count(),
            "alerts": len(alerts), "rules_seconds": round(rule_seconds, 2), "rules_peak_mib": round(rule_mib, 1),
            "rules_queries": len(rule_queries.captured_queries), "team_cases": listing.page.paginator.count,
            "team_list_seconds": round(list_seconds, 2), "case_page_queries": len(page_queries.captured_queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results = [measure(n) for n in args.cases]
    info = {"database": connection.vendor, "python": platform.python_version(), "cpus": os.cpu_count(),
            "load": os.getloadavg(), "results": results}
    print(json.dumps(info, indent=2) if args.json else "\n".join(str(r) for r in results) + f"\n{info['database']}, "
          f"load {info['load']}")


if __name__ == "__main__":
    main()
