"""`safeguard demo` end to end at a small size, without serving: the database it leaves has the
demo users, linked people with households and histories, casework, and alerts to sign in to."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

SAFEGUARD = [sys.executable, "-m", "safeguard.manage"]


def test_the_demo_prepares_a_force_to_sign_in_to(tmp_path):
    # The demo always makes its own SQLite database in the data folder, whatever DATABASE_URL says.
    env = dict(os.environ, SAFEGUARD_DATA_DIR=str(tmp_path))
    done = subprocess.run([*SAFEGUARD, "demo", "--no-serve", "--people", "400", "--seed", "3"], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for step in ("[1/7] Creating the database", "[3/7] Generating a synthetic force of 400 people",
                 "[5/7] Linking people and places", "[6/7] Seeding casework and inspection demo data",
                 "[7/7] Running the rules", "Demo ready in"):
        assert step in out
    assert "demo-investigator" in out and "all share this password" in out

    db = sqlite3.connect(tmp_path / "demo.sqlite3")

    def count(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    assert count("SELECT COUNT(*) FROM accounts_user WHERE username LIKE 'demo-%' AND is_active") == 11
    assert count("SELECT COUNT(*) FROM linkage_resolvedperson") > 300
    # Households: people linked as parents and children, and events in their histories.
    assert count("SELECT COUNT(*) FROM records_relationshipversion WHERE type = 'parent_of'") > 50
    assert count("SELECT COUNT(DISTINCT person_id) FROM records_eventsubject") > 100
    assert count("SELECT COUNT(*) FROM alerts_alert") > 0
    assert count("SELECT COUNT(*) FROM casework_investigation") > 0
    assert count("SELECT COUNT(*) FROM records_feedload WHERE finished_at IS NOT NULL") == 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_serves_the_sign_in_page_and_a_stop_ends_its_processes(tmp_path):
    """As the README runs it: the site answers while the demo runs, and stopping the demo (SIGTERM,
    as a script or service manager would) ends the web server and the rule clock with it."""
    import queue
    import signal
    import threading
    import time
    import urllib.request

    port = _free_port()
    env = dict(os.environ, SAFEGUARD_DATA_DIR=str(tmp_path))
    demo = subprocess.Popen([*SAFEGUARD, "demo", "--people", "200", "--seed", "5", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout], daemon=True).start()
    seen, deadline = [], time.monotonic() + 900
    try:
        while not any(line.startswith("Sign in at") for line in seen):
            assert time.monotonic() < deadline and demo.poll() is None, "".join(seen)[-3000:]
            try:
                seen.append(lines.get(timeout=5))
            except queue.Empty:
                pass
        page = None
        for _ in range(60):  # the server may still be binding its port
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=10) as response:  # noqa: S310
                    page = (response.status, response.read().decode())
                break
            except OSError:
                time.sleep(1)
        assert page is not None and page[0] == 200
        assert "Sign in" in page[1]
        children = subprocess.run(["pgrep", "-P", str(demo.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2  # the web server and the clock
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
    for pid in children:
        for _ in range(30):
            if not os.path.exists(f"/proc/{pid}") or "zombie" in _state(pid):
                break
            time.sleep(1)
        else:
            raise AssertionError(f"process {pid} outlived the demo")
    import socket

    with socket.socket() as s:  # nobody listens on the demo's port any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((line for line in status if line.startswith("State:")), "").lower()
    except OSError:
        return "zombie"
