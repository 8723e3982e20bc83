"""Oversight dashboards: how long each dashboard page, its largest drill-down list and its CSV
export take to render through the Django test client, on a database loaded from the synthetic
force (`safeguard generate` + `ingest` + `link` + `evaluate`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_oversight_bench \\
        .venv/bin/python benchmarks/oversight.py [--as-of 2026-10-31] [--runs 5] [--json]

The database must be one this benchmark may write to: it adds one superuser (a force-wide view,
the most any user sees) and, when the database holds no investigations, synthetic casework in
proportion to the people held (one case for every 40 resolved persons, with their logs, reviews
and partner referrals), because the generator feeds records and casework is kept in Safeguard.
It never changes fed records or alerts.

With `--read-only` it writes nothing (for a shared database such as `safeguard_force`): every
query runs in a READ ONLY transaction (PostgreSQL refuses any write), no casework is seeded (the
figures are over the casework the database holds), and the user is a superuser held in memory
only. The page is the view itself called with a request from `RequestFactory` (view, filter form,
selectors and template; not the middleware, sign-in or session); the largest list and the CSV
export are timed as the selector work they do (dashboard, the list's first 100 rows and their
links; dashboard and CSV bytes), without the audit entry they write through HTTP.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from safeguard.accounts.models import Organisation, Team, User  # noqa: E402
from safeguard.accounts.otp import DEVICE_NAME  # noqa: E402
from safeguard.accounts.reauth import REAUTH_SESSION_KEY  # noqa: E402
from safeguard.alerts.models import Alert  # noqa: E402
from safeguard.casework.models import Investigation, InvestigationLog, Referral, SupervisoryReview  # noqa: E402
from safeguard.core.calendar import end_of_day  # noqa: E402
from safeguard.linkage.models import ResolvedPerson  # noqa: E402
from safeguard.oversight import selectors  # noqa: E402
from safeguard.oversight.filters import Filters  # noqa: E402
from safeguard.records.models import EventVersion, SourceRecord  # noqa: E402

PAGES = ("backlogs", "compliance", "alerts", "partners")
USERNAME = "oversight-bench"


def bench_user() -> User:
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, password=None)
    return user


def seed_casework(people: int, until: dt.datetime) -> int:
    """Synthetic investigations over the year before `until`, with stage and risk changes,
    closures, supervisory reviews and partner referrals: bulk inserts, no per-row logic."""
    if Investigation.objects.exists():
        return 0
    rng = random.Random(6)
    police, _ = Organisation.objects.get_or_create(name="Benchmark Police", defaults={"kind": "police"})
    partners = [Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in (
        ("Benchmark Children's Services", "childrens_services"), ("Benchmark Health", "health"),
        ("Benchmark Schools", "education"), ("Benchmark Probation", "probation"))]
    teams = [Team.objects.get_or_create(organisation=police, name=f"Child Protection {area}", defaults={"area": area})[0]
             for area in ("North", "South", "East", "West")]
    officer = bench_user()
    stages = [s for s, _ in Investigation.Stage.choices if s != "closed"]
    risks = [r for r, _ in Investigation.Risk.choices]
    cases, logs, reviews, referrals = [], [], [], []
    count = max(people // 40, 50)
    for i in range(count):
        opened = until - dt.timedelta(days=rng.uniform(0, 365))
        closed = opened + dt.timedelta(days=rng.uniform(10, 200)) if rng.random() < 0.6 else None
        closed = closed if closed and closed < until else None
        cases.append(Investigation(
            reference=f"BENCH-{i:06d}", title=f"Benchmark case {i}", category="neglect", risk_level=rng.choice(risks),
            stage="closed" if closed else rng.choice(stages), organisation=police, team=rng.choice(teams),
            opened_at=opened, opened_by=officer, closed_at=closed, last_activity_at=closed or opened))
    with transaction.atomic():
        Investigation.objects.bulk_create(cases, batch_size=1000)
        for case in Investigation.objects.filter(reference__startswith="BENCH-"):
            logs.append(InvestigationLog(investigation=case, at=case.opened_at, kind="opened"))
            moved = case.opened_at + dt.timedelta(days=rng.uniform(1, 30))
            if moved < until:
                logs.append(InvestigationLog(investigation=case, at=moved, kind="stage",
                                             data={"from": "referral", "to": "section_47"}))
            if case.closed_at:
                logs.append(InvestigationLog(investigation=case, at=case.closed_at, kind="closed"))
            for _ in range(rng.randint(0, 6)):
                at = case.opened_at + dt.timedelta(days=rng.uniform(1, 120))
                if at < until:
                    reviews.append(SupervisoryReview(investigation=case, reviewer=officer, reviewed_at=at,
                                                     scope="Benchmark", rationale="Benchmark"))
            for _ in range(rng.randint(0, 3)):
                sent = case.opened_at + dt.timedelta(days=rng.uniform(0, 60))
                if sent >= until:
                    continue
                answered = sent + dt.timedelta(days=rng.uniform(0.5, 20)) if rng.random() < 0.8 else None
                referrals.append(Referral(
                    investigation=case, to_organisation=rng.choice(partners), agency="health", shared="Benchmark",
                    reason="Benchmark", request="Benchmark", sent_at=sent, sent_by=officer,
                    response_due_at=sent + dt.timedelta(days=5), responded_at=answered if answered and answered < until else None))
        InvestigationLog.objects.bulk_create(logs, batch_size=2000)
        SupervisoryReview.objects.bulk_create(reviews, batch_size=2000)
        Referral.objects.bulk_create(referrals, batch_size=2000)
    return count


def reauthenticate(client: Client) -> None:
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time())
    session.save()


def timed(client: Client, url: str, runs: int) -> dict:
    client.get(url)  # warm: templates compiled, connection open, caches filled
    times, cpu, queries, status = [], [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        queries, status = len(captured.captured_queries), response.status_code
    if status != 200:
        raise SystemExit(f"{url} answered {status}: the benchmark measures pages, not redirects")
    return {"url": url, "status": status, "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3), "median_cpu_s": round(statistics.median(cpu), 3), "queries": queries, "bytes": len(response.content)}


def largest_figure(user: User, page: str, day: dt.date) -> tuple[str, int]:
    filters = Filters(moment=end_of_day(day) - dt.timedelta(microseconds=1), day=day, period="3m")
    board = selectors.dashboard(user, page, filters)
    code = max(board.items, key=lambda c: len(board.items[c]), default="")
    return code, len(board.items.get(code, []))


def timed_call(what: str, call, runs: int) -> dict:
    call()  # warm
    times, cpu, queries = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = call()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        queries = len(captured.captured_queries)
    status = getattr(result, "status_code", 200)
    if status != 200:
        raise SystemExit(f"{what} answered {status}")
    return {"url": what, "status": status, "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3), "median_cpu_s": round(statistics.median(cpu), 3), "queries": queries,
            "bytes": len(getattr(result, "content", b"") or b"")}


def read_only_results(day: dt.date, runs: int) -> list[dict]:
    """Every figure without writing: see the module's docstring."""
    from django.test import RequestFactory

    from safeguard.oversight import exports, views

    user = User(username=USERNAME, is_superuser=True, is_staff=True, is_active=True)
    user.pk = 0  # never saved; templates may ask for it
    filters = Filters(moment=end_of_day(day) - dt.timedelta(microseconds=1), day=day, period="3m")
    query = f"as_of={day.isoformat()}&period=3m"
    factory, results = RequestFactory(), []

    def page_view(page: str):
        url = (reverse("oversight:backlogs") if page == "backlogs" else reverse(f"oversight:{page}")) + f"?{query}"
        request = factory.get(url)
        request.user, request.session = user, {}
        from django.contrib.messages.storage.fallback import FallbackStorage
        request._messages = FallbackStorage(request)
        return getattr(views, page)(request)

    def figure(page: str, code: str):
        board = selectors.dashboard(user, page, filters)
        _, items = selectors.figure_rows(board, code)
        shown = list(items[:100])
        selectors.links(user, shown)
        return len(items)

    def export(page: str):
        return exports._csv(selectors.dashboard(user, page, filters), filters)

    for page in PAGES:
        results.append({"what": f"{page} page (view called directly)", **timed_call(page, lambda page=page: page_view(page), runs)})
        code, rows = largest_figure(user, page, day)
        if code:
            results.append({"what": f"{page}: largest list ({code}, {rows} rows, first 100 and their links)",
                            **timed_call(code, lambda page=page, code=code: figure(page, code), runs)})
        results.append({"what": f"{page} CSV export (dashboard and CSV bytes, no audit entry)",
                        **timed_call(f"{page}.csv", lambda page=page: export(page), runs)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as-of", default="2026-10-31", help="the day the figures are as of (default: the "
                        "generator's last day)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--read-only", action="store_true", help="write nothing (a shared database): see above")
    args = parser.parse_args()
    day = dt.date.fromisoformat(args.as_of)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    if args.read_only:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION READ ONLY")
            seeded = 0
            size = sizes()
            results = read_only_results(day, args.runs)
            transaction.set_rollback(True)
        return report(args, day, size, seeded, results)

    user = bench_user()
    seeded = seed_casework(ResolvedPerson.objects.count(), end_of_day(day))
    size = sizes()
    client = Client()
    client.force_login(user)
    # As at the end of a real sign-in: past the second factor, and freshly re-authenticated
    # (exports ask for that; reauthenticate() renews it before each export's runs).
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    query = f"as_of={day.isoformat()}&period=3m"
    results = []
    for page in PAGES:
        url = (reverse("oversight:backlogs") if page == "backlogs" else reverse(f"oversight:{page}")) + f"?{query}"
        results.append({"what": f"{page} page", **timed(client, url, args.runs)})
        code, rows = largest_figure(user, page, day)
        if code:
            url = reverse("oversight:figure", args=[page]) + f"?{query}&measure={code}"
            results.append({"what": f"{page}: largest list ({code}, {rows} rows, first 100 shown)",
                            **timed(client, url, args.runs)})
        reauthenticate(client)
        results.append({"what": f"{page} CSV export",
                        **timed(client, reverse("oversight:export", args=[page, "csv"]) + f"?{query}", args.runs)})
    report(args, day, size, seeded, results)


def sizes() -> dict:
    return {
        "person records": SourceRecord.objects.filter(kind="person").count(),
        "resolved persons": ResolvedPerson.objects.count(),
        "event versions": EventVersion.objects.count(),
        "alerts": Alert.objects.count(),
        "investigations": Investigation.objects.count(),
        "case log entries": InvestigationLog.objects.count(),
        "partner referrals": Referral.objects.count(),
    }


def report(args, day: dt.date, size: dict, seeded: int, results: list[dict]) -> None:
    version = (connection.Database.sqlite_version if connection.vendor == "sqlite"
               else "{}.{}".format(*divmod(connection.pg_version, 10000)))
    report = {
        "database": f"{connection.vendor} {version} ({connection.settings_dict['NAME']})",
        "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, load {os.getloadavg()[0]:.1f}",
        "as_of": day.isoformat(), "runs": args.runs, "read_only": args.read_only, "size": size,
        "casework_seeded": seeded, "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['database']}; {report['machine']}; as of {day}; {args.runs} warm runs")
    print(", ".join(f"{v:,} {k}" for k, v in size.items()))
    print("| what | median s | max s | median CPU s (Django process) | queries |\n|---|---|---|---|---|")
    for r in results:
        print(f"| {r['what']} | {r['median_s']} | {r['max_s']} | {r['median_cpu_s']} | {r['queries']} |")


if __name__ == "__main__":
    main()
