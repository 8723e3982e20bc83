"""`safeguard ingest` as scripts use it: real process, real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAFEGUARD = [sys.executable, "-m", "safeguard.manage"]


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3", SAFEGUARD_DATA_DIR=str(tmp_path))
    subprocess.run([*SAFEGUARD, "migrate", "-v0"], env=e, check=True)
    return e


def run(env, *args, stdin: bytes | None = None):
    return subprocess.run([*SAFEGUARD, *args], env=env, input=stdin, capture_output=True)


def test_example_loads_with_exit_0_and_a_summary(env, example_feed):
    p = run(env, "ingest", "--no-evaluate", str(example_feed))
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode()
    assert "lines read 53, created 51, updated 2, unchanged 0, late 0, deleted 0, rejected 0 (conflicts 0), references unresolved 0" in out


def test_rejected_lines_give_exit_1_and_are_reported_on_stderr(env, tmp_path: Path):
    feed = tmp_path / "mixed.jsonl"
    good = {"kind": "person", "source": "police", "id": "P1", "recorded_at": "2026-01-01T00:00:00Z", "given_names": "A"}
    feed.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "id": "P9", "dob": "1995-13-02"}) + "\n")
    p = run(env, "ingest", "--no-evaluate", str(feed))
    assert p.returncode == 1
    assert 'mixed.jsonl:3: person police/P9: dob "1995-13-02" is not a date' in p.stderr.decode()
    assert "created 1," in p.stdout.decode() and "rejected 1 " in p.stdout.decode()


def test_standard_input_is_read_with_a_dash(env):
    line = json.dumps({"kind": "location", "source": "csc", "id": "L1", "recorded_at": "2026-01-01T00:00:00Z", "address": "Corby area"})
    p = run(env, "ingest", "--no-evaluate", "-", stdin=(line + "\n").encode())
    assert p.returncode == 0 and "created 1," in p.stdout.decode()


def test_a_missing_file_is_a_clear_error(env):
    p = run(env, "ingest", "nope.jsonl")
    assert p.returncode != 0 and "nope.jsonl: no such file" in p.stderr.decode()
