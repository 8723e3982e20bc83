"""`safeguard link --train`: a versioned model trained on the records held, the shipped one by default."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from safeguard.linkage.engine.persons import model_version
from safeguard.linkage.engine.training_data import generate
from safeguard.linkage.models import LinkageRun
from safeguard.linkage.services import active_model, link_all, train_model

from .conftest import feed_lines, load, people


@pytest.mark.django_db
def test_training_on_a_few_records_is_refused_and_the_shipped_model_stays(maple_people) -> None:
    load(feed_lines())
    with pytest.raises(CommandError, match="at least 10,000 person records; 14 are held"):
        call_command("link", "--train")
    assert active_model() is None
    link_all()
    assert LinkageRun.objects.get(mode="batch").model_version == model_version(None)
    assert model_version(None).startswith("shipped-")
    assert people() == maple_people


@pytest.mark.django_db
def test_a_trained_model_is_saved_as_a_version_and_used_by_later_runs(settings, tmp_path, maple_people) -> None:
    settings.DATA_DIR = tmp_path
    records = generate(people=7000, seed=21).drop_columns(["person_id"])
    assert records.num_rows >= 10_000

    run = train_model(table=records)

    saved = json.loads((tmp_path / "linkage-models" / f"person_model_{run.model_version}.json").read_text())
    assert saved["safeguard_model"]["version"] == run.model_version
    assert saved["safeguard_model"]["previous"] == model_version(None)
    assert run.mode == "train" and run.summary["active"] and run.summary["records"] == records.num_rows
    assert model_version(active_model()) == run.model_version

    load(feed_lines())
    link_all()
    assert LinkageRun.objects.get(mode="batch").model_version == run.model_version
    assert people() == maple_people


def test_truth_goes_with_train_and_must_have_its_columns(tmp_path) -> None:
    with pytest.raises(CommandError, match="--truth goes with --train"):
        call_command("link", "--truth", str(tmp_path / "truth.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    from safeguard.linkage.management.commands.link import read_truth

    with pytest.raises(CommandError, match="needs the columns source, id and truth_id"):
        read_truth(bad)
