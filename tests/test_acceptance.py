"""The public example passes exactly, through the command line as partner scripts drive it
(shared/tools/acceptance.py: fresh SQLite databases, shuffled load, exact people)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]


def test_the_public_example_passes_every_check():
    tool = SHARED / "tools" / "acceptance.py"
    feed = SHARED / "examples" / "maple-road.jsonl"
    checks = SHARED / "examples" / "maple-road.checks.json"
    result = subprocess.run([sys.executable, str(tool), str(feed), str(checks)], cwd=ROOT, capture_output=True,
                            text=True, timeout=1800)
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert result.returncode == 0, "\n".join(failures) or result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "acceptance: 43/43 checks pass"
