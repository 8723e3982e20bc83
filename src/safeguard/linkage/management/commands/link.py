import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.core.errors import SafeguardError
from safeguard.linkage.services import link_all, train_model


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    """(source, id) -> true person, from a CSV with columns source, id, truth_id (and optionally
    kind: rows of other kinds are skipped), as `safeguard generate` writes truth/records.csv."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from exc
    if not rows or not {"source", "id", "truth_id"} <= set(rows[0]):
        raise CommandError(f"{path}: a truth file needs the columns source, id and truth_id")
    return {(r["source"], r["id"]): r["truth_id"] for r in rows if r.get("kind", "person") == "person"}


class Command(BaseCommand):
    help = ("Run person and location linkage over everything held; with --train, train a new person model on "
            "the records held first (kept as a new version; the shipped model stays the default).")

    def add_arguments(self, parser):
        parser.add_argument("--train", action="store_true", help="train the person model on the records held")
        parser.add_argument("--truth", type=Path, help="with --train: a CSV (source,id,truth_id) of known people; "
                            "the new model becomes active only if it scores at least as well as the current one")

    def handle(self, *args, train, truth, **options):
        if truth is not None and not train:
            raise CommandError("--truth goes with --train")
        if train:
            try:
                run = train_model(actor=None, actor_label="command line",
                                  truth=read_truth(truth) if truth is not None else None)
            except SafeguardError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps({"trained": run.model_version, **run.summary}))
        summary = link_all(actor=None, actor_label="command line")
        self.stdout.write(json.dumps(summary))
