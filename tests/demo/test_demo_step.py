"""safeguard.demo.step: a command's process started ahead of its turn runs the command, exactly
as `safeguard COMMAND` would, only when told to, and otherwise ends without running it."""

from __future__ import annotations

import os
import subprocess
import sys

STEP = [sys.executable, "-m", "safeguard.demo.step"]


def _step(tmp_path, stdin: str, *command: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SAFEGUARD_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return subprocess.run([*STEP, *command], input=stdin, env=env, capture_output=True, text=True, timeout=300)


def test_runs_the_command_when_told(tmp_path):
    done = _step(tmp_path, "run\n", "check")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_ends_without_running_it_when_the_input_ends(tmp_path):
    done = _step(tmp_path, "", "check")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_a_failing_command_fails_the_step(tmp_path):
    done = _step(tmp_path, "run\n", "ingest", "--no-evaluate", str(tmp_path / "missing.jsonl"))
    assert done.returncode != 0
    assert "no such file" in done.stderr
