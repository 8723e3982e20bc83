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
