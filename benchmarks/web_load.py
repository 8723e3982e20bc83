"""Web load benchmark (issue 10, "Speed"): p95 response times of the work queue, the person
page and search, with simulated practitioners on loopback.

Load tests model people, not machines (shared/design/architecture.md): each simulated user
signs in once, then opens a page, reads it for 1-3 s, and opens the next; the run is bounded in
pages per user and in time. The site runs as it would in production (gunicorn, production
settings, persistent database connections) against the database in DATABASE_URL, which should
hold the force-scale dataset (benchmarks/force_scale.py) linked and evaluated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_force \\
        .venv/bin/python benchmarks/web_load.py [--users 20] [--pages 30] [--max-seconds 600]

Users are made for the run (one police investigator per simulated user, `bench-user-N`) if
they do not exist; their sessions are created server-side (with a verified second factor when
the second factor is installed), so the timings are the pages', not the sign-in's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


@dataclass
class Sample:
    page: str
    status: int
    seconds: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


# The server runs with production settings, which refuse the development keys; the sessions made
# here must be signed with the same secret the server uses.
SECRET = os.environ.get("SAFEGUARD_SECRET_KEY", "benchmark-only-secret-" + "x" * 40)
AUDIT_KEY = os.environ.get("SAFEGUARD_AUDIT_KEY", "benchmark-only-audit-key")
CHECKPOINT_KEY = os.environ.get("SAFEGUARD_AUDIT_CHECKPOINT_KEY", "benchmark-only-checkpoint-key")


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    os.environ["SAFEGUARD_SECRET_KEY"] = SECRET
    os.environ["SAFEGUARD_AUDIT_KEY"] = AUDIT_KEY
    os.environ["SAFEGUARD_AUDIT_CHECKPOINT_KEY"] = CHECKPOINT_KEY
    os.environ.setdefault("SAFEGUARD_AUDIT_KEY_ID", "benchmark")
    import django

    django.setup()


def prepare(users: int, seed: int) -> tuple[list[str], list[int], list[str]]:
    """Session cookies for `users` simulated investigators, person ids and surnames to visit."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string

    from safeguard.accounts.models import Organisation, User
    from safeguard.linkage.models import PersonMembership
    from safeguard.records.models import PersonVersion

    if not Organisation.objects.filter(kind="police").exists():
        # Data loaded from the command line has sources but no organisations: set up the demo's.
        from safeguard.demo.setup import demo_setup

        demo_setup()
    police = Organisation.objects.filter(kind="police").order_by("pk").first()
    investigator = Group.objects.get(name="investigator")
    # The backend that signs people in with a password (django-axes's comes first, but only guards).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user"))
    cookies = []
    for n in range(users):
        user, created = User.objects.get_or_create(username=f"bench-user-{n}", defaults={"organisation": police})
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(investigator)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        _verify_second_factor(session, user)
        session.create()
        cookies.append(session.session_key)

    rng = random.Random(seed)
    # People the investigators can see: those with a police record.
    members = PersonMembership.objects.filter(record__source__organisation=police)
    top = members.order_by("-person_id").values_list("person_id", flat=True)[:50_000]
    person_ids = rng.sample(list(top), min(2_000, len(top)))
    names = list(PersonVersion.objects.filter(valid_to__isnull=True).order_by("pk").values_list("family_name", flat=True)[:20_000])
    surnames = rng.sample(sorted({n for n in names if n}), min(500, len({n for n in names if n})))
    return cookies, person_ids, surnames


def _verify_second_factor(session, user) -> None:
    """Mark the session as having passed the second factor, as the sign-in pages would."""
    from django.conf import settings

    if "django_otp" not in settings.INSTALLED_APPS:
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="benchmark", defaults={"confirmed": True})
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SAFEGUARD_ENV": "production",
        "SAFEGUARD_SSL_REDIRECT": "0",
        "SAFEGUARD_ALLOWED_HOSTS": "127.0.0.1",
        "SAFEGUARD_DB_CONN_MAX_AGE": "600",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "safeguard.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/sign-in/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start")


def user_loop(*, port: int, cookie: str, pages: int, deadline: float, rng: random.Random,
              person_ids: list[int], surnames: list[str], run: Run, cookie_name: str) -> None:
    headers = {"Cookie": f"{cookie_name}={cookie}", "X-Forwarded-Proto": "https"}
    for _ in range(pages):
        if time.monotonic() > deadline:
            return
        page = rng.choices(["queue", "person", "search"], weights=[2, 2, 1])[0]
        if page == "queue":
            path = "/"
        elif page == "person":
            path = f"/people/{rng.choice(person_ids)}/"
        else:
            path = search_path(rng.choice(surnames))
        started = time.perf_counter()
        # A new connection each time: after 1-3 s of reading, a browser's idle connection is
        # usually gone too (gunicorn keeps one alive for 2 s).
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        run.add(Sample(page, response.status, time.perf_counter() - started))
        time.sleep(rng.uniform(1.0, 3.0))


def warm_up(port: int, cookies: list[str], person_ids: list[int], surnames: list[str], requests: int,
            cookie_name: str) -> None:
    rng = random.Random(0)
    for n in range(requests):
        path = ["/", f"/people/{rng.choice(person_ids)}/", search_path(rng.choice(surnames))][n % 3]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Cookie": f"{cookie_name}={cookies[n % len(cookies)]}",
                                           "X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        conn.close()
    time.sleep(10)


def search_path(surname: str) -> str:
    # The search form's name field ("q" is no field of it: the form would answer with its error
    # and search nothing).
    return "/search/?" + urllib.parse.urlencode({"name": surname})


def profile(cookies: list[str], person_ids: list[int], surnames: list[str], requests: int, seed: int) -> dict:
    """In-process, one request at a time (no server, no concurrency): per page, the queries each
    request makes, their database time, and the CPU the Django process spends, from Django's
    test client. The first queue request of each user fills its memoised counts; it is shown
    apart ("queue (first)")."""
    import resource

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(seed)
    figures: dict[str, list[tuple[float, float, int, float]]] = {}

    def one(label: str, client: Client, path: str) -> None:
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        if response.status_code != 200:
            sys.exit(f"{path}: {response.status_code}")
        db = sum(float(q.get("time") or 0) for q in queries.captured_queries)
        used = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
        figures.setdefault(label, []).append((wall, used, len(queries.captured_queries), db))

    clients = []
    for cookie in cookies:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        clients.append(client)
    for client in clients:
        one("queue (first)", client, "/")
    for n in range(requests):
        client = clients[n % len(clients)]
        one("queue", client, "/")
        one("person", client, f"/people/{rng.choice(person_ids)}/")
        one("search", client, search_path(rng.choice(surnames)))
    out = {}
    for label, rows in figures.items():
        walls, cpus = sorted(r[0] for r in rows), sorted(r[1] for r in rows)
        out[label] = {
            "requests": len(rows),
            "wall_p50_ms": round(statistics.median(walls) * 1000), "wall_p95_ms": round(p95(walls) * 1000),
            "cpu_p50_ms": round(statistics.median(cpus) * 1000), "cpu_p95_ms": round(p95(cpus) * 1000),
            "queries_p50": statistics.median(r[2] for r in rows), "queries_max": max(r[2] for r in rows),
            "db_p50_ms": round(statistics.median(r[3] for r in rows) * 1000),
        }
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else (values[0] if values else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30, help="pages each simulated user opens")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="instead of the load run: N requests of each page in-process, one at a time, "
                             "with their query counts and CPU")
    parser.add_argument("--warmup", type=int, metavar="N", default=0,
                        help="before timing, N untimed requests (queue, person, search in turn, one at a time) "
                             "and a 10 s pause: the figures of a server that has been up a while (each "
                             "worker builds its surname index in the background when it starts)")
    args = parser.parse_args()

    cookies, person_ids, surnames = prepare(args.users, args.seed)
    from django.conf import settings

    if args.profile:
        result = {"profile": profile(cookies, person_ids, surnames, args.profile, args.seed),
                  "machine": f"{os.cpu_count()} CPUs, {platform.platform()}", "load_average": os.getloadavg(),
                  "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        return

    server = start_server(args.port, args.workers, args.threads)
    run = Run()
    try:
        deadline = time.monotonic() + args.max_seconds
        threads = [
            threading.Thread(target=user_loop, kwargs=dict(
                port=args.port, cookie=cookie, pages=args.pages, deadline=deadline,
                rng=random.Random(args.seed * 1000 + n), person_ids=person_ids, surnames=surnames,
                run=run, cookie_name=settings.SESSION_COOKIE_NAME))
            for n, cookie in enumerate(cookies)
        ]
        if args.warmup:
            warm_up(args.port, cookies, person_ids, surnames, args.warmup, settings.SESSION_COOKIE_NAME)
        started = time.monotonic()
        for n, thread in enumerate(threads):
            thread.start()
            time.sleep(0.1 * (n % 10))  # people do not all arrive in the same instant
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = {
        "users": args.users, "pages_per_user": args.pages, "seconds": round(elapsed, 1),
        "machine": f"{os.cpu_count()} CPUs, {platform.platform()}", "load_average": os.getloadavg(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "server": f"gunicorn {args.workers} workers x {args.threads} threads", "warmup_requests": args.warmup,
        "pages": {},
    }
    bad = [s for s in run.samples if s.status != 200]
    for page in ("queue", "person", "search"):
        times = [s.seconds for s in run.samples if s.page == page and s.status == 200]
        result["pages"][page] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times) * 1000) if times else None,
            "p95_ms": round(p95(times) * 1000) if times else None,
            "max_ms": round(max(times) * 1000) if times else None,
        }
    result["non_200"] = {f"{s.page} {s.status}": sum(1 for t in bad if (t.page, t.status) == (s.page, s.status)) for s in bad}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if bad:
        sys.exit(f"{len(bad)} requests did not answer 200: the figures above are not valid")


if __name__ == "__main__":
    main()
