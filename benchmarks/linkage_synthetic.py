"""Person-linkage accuracy on the project's synthetic force, end to end through the command line:
`safeguard generate` (truth in truth/records.csv), then on a fresh SQLite database
`migrate; ingest --no-evaluate; link; persons --json`, scored by precision, recall and F1 over
record pairs against the truth. The generator's people carry UK-style errors and the known traps
(nicknames, swapped and partial dates of birth, surname changes, moves, twins, parents and
children of the same name, common names).

    .venv/bin/python benchmarks/linkage_synthetic.py --people 5000 --seed 1
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from safeguard.linkage.engine.evaluation import pair_scores

ROOT = Path(__file__).resolve().parents[1]
SAFEGUARD = str(ROOT / ".venv" / "bin" / "safeguard")


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SAFEGUARD, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"safeguard {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def truth_of(folder: Path) -> dict[str, str]:
    with (folder / "truth" / "records.csv").open(encoding="utf-8") as handle:
        return {f"{r['source']}/{r['id']}": r["truth_id"] for r in csv.DictReader(handle) if r["kind"] == "person"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
        run(env, "generate", "--people", str(options.people), "--seed", str(options.seed), "--out", str(folder / "force"))
        run(env, "migrate", "--verbosity", "0")
        run(env, "ingest", "--no-evaluate", str(folder / "force" / "feed.jsonl"))
        start = time.perf_counter()
        summary = run(env, "link")
        seconds = time.perf_counter() - start
        persons = json.loads(run(env, "persons", "--json"))
        truth = truth_of(folder / "force")
    predicted = {f"{r['source']}/{r['id']}": p["person"] for p in persons for r in p["records"]}
    scores = pair_scores(predicted, truth)
    print(json.dumps({
        "people": options.people, "seed": options.seed, "person_records": len(truth),
        "true_people": len(set(truth.values())), "resolved_people": len(set(predicted.values())),
        "precision": round(scores.precision, 4), "recall": round(scores.recall, 4), "f1": round(scores.f1, 4),
        "link_seconds": round(seconds, 1), "link_summary": json.loads(summary.strip().splitlines()[-1]),
    }, indent=1))


if __name__ == "__main__":
    main()
