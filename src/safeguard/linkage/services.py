"""Linkage: batch and incremental runs, and people's decisions on pairs of records.

Every write keeps resolved ids stable (a resolved id stays with the cluster holding most of its
records; when clusters unite, the oldest id wins and the others are marked `merged_into` it),
records each change of membership in `MembershipChange`, and leaves one "combination" audit entry.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

import pyarrow as pa
from django.conf import settings
from django.db import transaction

from safeguard.access.policy import can_view, visible
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now
from safeguard.core.db import bulk_insert
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.records.models import SourceRecord

from .candidates import (
    chunks,
    ensure_keys,
    location_scope,
    make_keys,
    person_scope,
    replace_keys,
    split_by_kind,
    write_all_keys,
)
from .engine import locations as location_engine
from .engine import persons as person_engine
from .engine.clustering import CONFIRMED, SPLIT
from .engine.evaluation import pair_scores
from .engine.model import load_model
from .inputs import location_table, person_table
from .models import (
    LinkageRun,
    LocationMembership,
    MembershipChange,
    PairReview,
    PersonMembership,
    ResolvedLocation,
    ResolvedPerson,
)


@dataclass
class Thresholds:
    """Match weights: a pair at or above `join` links; between `review` and `join` it goes to a
    person; a cluster held together only by pairs under `keep` is checked for weak bridges."""

    join: float
    keep: float
    review: float


def thresholds() -> Thresholds:
    return Thresholds(join=settings.LINKAGE_JOIN_WEIGHT, keep=settings.LINKAGE_KEEP_WEIGHT,
                      review=settings.LINKAGE_REVIEW_WEIGHT)




# Who may decide pairs and split persons.
REVIEWERS = frozenset({"analyst", "supervisor", "administrator"})


def can_review(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_role(*REVIEWERS))


@dataclass
class LinkResult:
    """What a linkage run changed, for whoever brings alerts up to date next.

    `changed_persons`: resolved person ids that gained or lost a record, including ids created by
    the run and ids that lost all their records (now `merged_into` the id that took most of them).
    `changed_locations`: the same for resolved places. A resolved id in neither set has exactly
    the records it had before the run. `merged_persons`: resolved person ids the run retired ->
    the id each was merged into. `relinked_persons` / `relinked_locations`: the resolved ids a
    record moved from or to (merges and splits, not new records joining). `summary`: counts, as
    `link --json` prints them.
    """

    changed_persons: set[int] = field(default_factory=set)
    changed_locations: set[int] = field(default_factory=set)
    summary: dict = field(default_factory=dict)
    merged_persons: dict[int, int] = field(default_factory=dict)
    relinked_persons: set[int] = field(default_factory=set)
    relinked_locations: set[int] = field(default_factory=set)


def _decisions(record_ids: set[int]) -> dict[tuple[int, int], str]:
    """People's decisions on pairs of these records, (smaller id, larger id) -> status."""
    decided = PairReview.objects.exclude(status=PairReview.Status.PENDING).values_list(
        "record_l_id", "record_r_id", "status")
    return {(min(a, b), max(a, b)): status for a, b, status in decided if a in record_ids and b in record_ids}


def _apply_decisions(pairs: pa.Table, decided: dict[tuple[int, int], str]) -> pa.Table:
    """A reviewer's confirm or split wins over the model: confirmed pairs join whatever their
    weight, split pairs never end up together (see engine.clustering)."""
    if not decided:
        return pairs
    left, right = pairs["record_id_l"].to_pylist(), pairs["record_id_r"].to_pylist()
    weights, conflicts = pairs["match_weight"].to_pylist(), pairs["conflict"].to_pylist()
    seen = set()
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        key = (a, b) if a < b else (b, a)
        seen.add(key)
        status = decided.get(key)
        if status == PairReview.Status.CONFIRMED:
            weights[i], conflicts[i] = CONFIRMED, None
        elif status == PairReview.Status.SPLIT:
            conflicts[i] = SPLIT
    extra = [(a, b, CONFIRMED if s == PairReview.Status.CONFIRMED else -CONFIRMED,
              None if s == PairReview.Status.CONFIRMED else SPLIT)
             for (a, b), s in decided.items() if (a, b) not in seen]
    return pa.table({
        "record_id_l": left + [e[0] for e in extra], "record_id_r": right + [e[1] for e in extra],
        "match_weight": weights + [e[2] for e in extra], "conflict": pa.array(conflicts + [e[3] for e in extra], pa.string()),
    })


def _queue_for_review(band: pa.Table, decided: dict[tuple[int, int], str]) -> int:
    """Queue the pairs of the review band (`persons.Scored.review`) nobody has decided."""
    if band.num_rows == 0:
        return 0
    moment = now()
    model = active_model()
    reviews = []
    for row in band.to_pylist():
        a, b = sorted((row["record_id_l"], row["record_id_r"]))
        if (a, b) in decided:
            continue
        reviews.append(PairReview(record_l_id=a, record_r_id=b, match_weight=row["match_weight"],
                                  match_probability=row.get("match_probability"),
                                  evidence=person_engine.explain(row, model), created_at=moment))
    PairReview.objects.bulk_create(reviews, ignore_conflicts=True, batch_size=1000)
    return len(reviews)


@dataclass
class _Why:
    """Who or what moved records, for the membership history."""

    run: LinkageRun
    user: object = None
    reason: str = ""


def _current(membership, field_name: str, record_ids, subset: bool) -> dict[int, int]:
    if not subset:
        return dict(membership.objects.values_list("record_id", f"{field_name}_id"))
    out: dict[int, int] = {}
    for chunk in chunks(record_ids):
        out.update(membership.objects.filter(record_id__in=chunk).values_list("record_id", f"{field_name}_id"))
    return out


def _assign(kind: str, clusters: dict[int, int], why: _Why, *,
            subset: bool) -> tuple[dict[str, int], set[int], dict[int, int], set[int]]:
    """Give each cluster a resolved id: a resolved id stays with the cluster that holds most of
    its records; a cluster that unites several keeps the oldest; the rest get new ids.

    With `subset`, `clusters` covers only some records: every record of a resolved id it touches
    must be in it (the candidate search closes its scope over resolved ids).

    Returns the counts, the resolved ids that gained or lost records, the merges (a resolved
    id that lost all its records -> the id that took most of them), and the resolved ids a record
    moved from or to (merges and splits: what alerts must follow; a new record joining is not)."""
    membership, resolved_model, field_name = (
        (PersonMembership, ResolvedPerson, "person") if kind == "person" else (LocationMembership, ResolvedLocation, "location")
    )
    current = _current(membership, field_name, clusters, subset)
    members: dict[int, list[int]] = defaultdict(list)
    for record_id, key in clusters.items():
        members[key].append(record_id)
    # For each resolved id, the cluster holding most of its records (ties: the smallest key).
    holdings: dict[int, Counter] = defaultdict(Counter)
    for key, records in members.items():
        for record_id in records:
            if record_id in current:
                holdings[current[record_id]][key] += 1
    home = {rid: min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0] for rid, counter in holdings.items()}
    kept: dict[int, int] = {}
    for rid in sorted(home):
        kept.setdefault(home[rid], rid)  # the oldest resolved id whose home is this cluster
    moment = now()
    needing_ids = sorted(key for key in members if key not in kept)
    if needing_ids:
        # Both supported databases return the new ids from a bulk insert.
        created = resolved_model.objects.bulk_create([resolved_model(created_at=moment) for _ in needing_ids])
        kept.update({key: obj.pk for key, obj in zip(needing_ids, created, strict=True)})
    new_rows, changed_rows, history = [], [], []
    run_id, user_id = getattr(why.run, "pk", None), getattr(why.user, "pk", None)
    changed: set[int] = set()
    relinked: set[int] = set()
    for key, records in members.items():
        target = kept[key]
        for record_id in records:
            before = current.get(record_id)
            if before == target:
                continue
            changed.add(target)
            if before is not None:
                changed.add(before)
                relinked.update((before, target))
            if before is None:
                new_rows.append((record_id, target, moment))
            else:
                changed_rows.append(membership(record_id=record_id, since=moment, **{f"{field_name}_id": target}))
            reason = why.reason or ("linkage run" if before is None else "re-linked by run")
            history.append((kind, record_id, before, target, moment, run_id, user_id, reason[:200]))
    # Plain rows (core.db.bulk_insert): a first run writes one membership and one history row per
    # record, and bulk_create's model and SQL per row were most of linking's own time.
    bulk_insert(membership, ("record_id", f"{field_name}_id", "since"), new_rows)
    membership.objects.bulk_update(changed_rows, [f"{field_name}_id", "since"], batch_size=1000)
    bulk_insert(MembershipChange, ("kind", "record_id", "from_id", "to_id", "at", "run_id", "user_id", "reason"), history)
    # Resolved ids that lost all their records were merged into the cluster that took most of them.
    retired = {rid: kept[home[rid]] for rid in home if kept[home[rid]] != rid}
    for rid, into in retired.items():
        resolved_model.objects.filter(pk=rid).update(merged_into=into)
    summary = {"records": len(clusters), f"{kind}s": len(members), "moved": len(changed_rows), "joined": len(new_rows),
               "merged": len(retired)}
    return summary, changed, retired, relinked


# Scores persons as `persons.score` does (the Spark engine's `SparkScorer.score` is one).
Scorer = Callable[..., person_engine.Scored]


def _score_and_cluster(persons: pa.Table, limits: Thresholds,
                       scorer: Scorer | None = None) -> tuple[pa.Table, dict[int, int], dict]:
    """(the review band's pairs, clusters, people's decisions). Every pair is fetched with only
    what clustering needs; the review band with every column (`persons.score`, or the same on
    another engine: `scorer`)."""
    score = person_engine.score if scorer is None else scorer
    scored = score(persons, active_model(), review=(limits.review, limits.join))
    ids = persons["record_id"].to_pylist()
    decided = _decisions(set(ids))
    clusters = person_engine.cluster(ids, _apply_decisions(scored.pairs, decided), limits.join, limits.keep)
    return scored.review, clusters, decided


def _finish(run: LinkageRun, why: _Why, location_clusters: dict[int, int], scored, *, subset: bool, actor,
            actor_label: str) -> LinkResult:
    """Write a run's clusters, queue its uncertain pairs, record and audit it (call in a transaction)."""
    band, person_clusters, decided = scored
    locations, changed_locations, _, relinked_locations = _assign("location", location_clusters, why, subset=subset)
    persons, changed_persons, merged_persons, relinked_persons = _assign("person", person_clusters, why, subset=subset)
    summary = {"locations": locations, "persons": persons,
               "queued_for_review": _queue_for_review(band, decided) if band is not None else 0}
    run.finished_at = now()
    run.summary = summary
    run.save(update_fields=["finished_at", "summary"])
    audit_log(actor=actor, actor_label=actor_label, action=Action.COMBINATION, object_type="linkage_run",
              object_ids=[run.pk], details={**summary, "reason": why.reason} if why.reason else summary)
    return LinkResult(changed_persons=changed_persons, changed_locations=changed_locations, summary=summary,
                      merged_persons=merged_persons, relinked_persons=relinked_persons,
                      relinked_locations=relinked_locations)


def _follow_alerts(result: LinkResult, why: _Why, *, actor, actor_label: str, judge: bool) -> None:
    """Alerts follow the merges and splits (rules.md, "When linkage changes"): see alerts.relink.
    With `judge`, the alerts of the people concerned are judged again now; without it, whoever
    called must evaluate them next (the after-load hook of alerts does)."""
    from safeguard.alerts.relink import follow_linkage

    moved = follow_linkage(persons=result.relinked_persons if not judge else result.changed_persons,
                           locations=result.relinked_locations if not judge else result.changed_locations,
                           merged=result.merged_persons, actor=actor, actor_label=actor_label,
                           reason=why.reason or f"linkage run {why.run.pk}", evaluate=judge)
    result.summary["alerts"] = moved.summary()


def link_all(*, actor=None, actor_label: str = "system", scorer: Scorer | None = None) -> dict:
    """Batch linkage over everything held: persons with the Splink model, places by UPRN and
    normalised address. One "combination" audit entry for the run; returns its counts.
    `scorer`: where persons are scored, `persons.score` (DuckDB) when None, else e.g.
    `engine.spark.SparkScorer(...).score`; everything after scoring is the same."""
    return link_everything(actor=actor, actor_label=actor_label, scorer=scorer).summary


def link_everything(*, actor=None, actor_label: str = "system", judge_alerts: bool = False,
                    scorer: Scorer | None = None) -> LinkResult:
    """`link_all`, returning what changed. Alerts follow the merges and splits (alerts.relink);
    with `judge_alerts` the alerts of the people concerned are also judged again (else the next
    evaluation does: a batch run may change most people)."""
    model = active_model()
    run = LinkageRun.objects.create(started_at=now(), mode="batch", model_version=person_engine.model_version(model))
    locations = location_table()
    location_clusters = location_engine.match_locations(locations) if locations.num_rows else {}
    # Prepared once: the scorer (DuckDB or Spark) takes a prepared table as it is, and the blocking
    # keys kept for incremental runs are made from the same table.
    persons = person_engine.prepare(person_table())
    # Scoring a whole force takes minutes: it runs before the transaction that writes the result.
    scored = _score_and_cluster(persons, thresholds(), scorer) if persons.num_rows else (None, {}, {})
    keys = make_keys(persons, held_form=True, model=model)
    with transaction.atomic():
        why = _Why(run)
        write_all_keys(keys, records=persons.num_rows, run=run, model=model)
        result = _finish(run, why, location_clusters, scored, subset=False, actor=actor, actor_label=actor_label)
        _follow_alerts(result, why, actor=actor, actor_label=actor_label, judge=judge_alerts)
        return result


def link_records(*, record_ids: set[int], actor=None, actor_label: str = "system", user=None,
                 reason: str = "", judge_alerts: bool = True) -> LinkResult:
    """Incremental linkage: bring persons and places up to date for records that arrived or
    changed (any kind: a person-location link re-links its person) without re-running everything.

    Candidates are the held records sharing a blocking key with the touched person records (the
    keys kept in the database, `candidates`; rebuilt first if missing or made by other rules),
    the engine scores the small scope with the cached Splink SQL, and only the affected resolved
    ids are re-clustered; then the touched records' stored keys are replaced. Returns what
    changed (`LinkResult`): pass `changed_persons` / `changed_locations` to alert evaluation.
    Alerts follow the merges and splits (alerts.relink); with `judge_alerts` the alerts of the
    people concerned are also judged again, so that a reviewer's decision shows at once.
    """
    with transaction.atomic():
        model = active_model()
        run = LinkageRun.objects.create(started_at=now(), mode="incremental",
                                        model_version=person_engine.model_version(model))
        why = _Why(run, user, reason)
        ensure_keys(run, model)  # locks the keys' index row: incremental runs take turns from here
        touched_persons, touched_locations = split_by_kind(record_ids)
        scope = location_scope(touched_locations) if touched_locations else set()
        location_clusters = location_engine.match_locations(location_table(scope)) if scope else {}
        # Places first: they do not depend on persons (a person's places are its location records').
        locations, changed_locations, _, relinked_locations = _assign("location", location_clusters, why, subset=True)
        new = person_engine.prepare(person_table(touched_persons)) if touched_persons else None
        persons = person_table(person_scope(new, model)) if new is not None and new.num_rows else None
        scored = _score_and_cluster(persons, thresholds()) if persons is not None else (None, {}, {})
        result = _finish(run, why, {}, scored, subset=True, actor=actor, actor_label=actor_label)
        replace_keys(touched_persons, new, model)
        result.changed_locations |= changed_locations
        result.relinked_locations |= relinked_locations
        result.summary["locations"] = locations
        _follow_alerts(result, why, actor=actor, actor_label=actor_label, judge=judge_alerts)
    return result


# A load touching more records than this is linked by a batch run: an incremental run's scope
# would cover much of what is held anyway, and a batch rewrites the stored keys in bulk.
INCREMENTAL_UP_TO = 50_000


def link_after_load(load_summary) -> str:
    """After-load hook (registered in `apps.py`, order 10, before alerts): link what the load
    touched. The result is left on the load summary as `load_summary.linkage` (a `LinkResult`)
    for the hooks that run after this one."""
    touched = set(load_summary.touched_record_ids)
    if len(touched) > INCREMENTAL_UP_TO:
        result = link_everything(actor=None, actor_label="after load")
    else:
        result = link_records(record_ids=touched, actor=None, actor_label="after load", judge_alerts=False)
    load_summary.linkage = result
    return (f"linkage: {len(result.changed_persons)} resolved persons and {len(result.changed_locations)} places "
            f"changed")


# ---- people's decisions ------------------------------------------------------------------

def _check_reviewer(actor, reason: str) -> str:
    if not can_review(actor):
        raise PermissionDenied("Not found")
    reason = reason.strip()
    if len(reason) < 10:
        raise SafeguardError("Write why (at least 10 characters): the reason is kept with the decision.")
    return reason


def pair_decide(*, review_id: int, actor, same_person: bool, reason: str) -> LinkResult:
    """A reviewer decides a pair in the review queue: the same person (the records join) or
    different people (they never join). The decision wins over every later run, even when a
    third record would bridge the pair."""
    reason = _check_reviewer(actor, reason)
    with transaction.atomic():
        review = PairReview.objects.select_for_update().select_related("record_l", "record_r").filter(
            pk=review_id).first()
        if review is None or not (can_view(actor, review.record_l) and can_view(actor, review.record_r)):
            raise PermissionDenied("Not found")
        if review.status != PairReview.Status.PENDING:
            raise SafeguardError("This pair has already been decided. Split the person from their page if the "
                                 "decision was wrong.")
        review.status = PairReview.Status.CONFIRMED if same_person else PairReview.Status.SPLIT
        review.decided_at, review.decided_by, review.reason = now(), actor, reason
        review.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        verdict = "same person" if same_person else "different people"
        audit_log(actor=actor, action=Action.COMBINATION, object_type="person_pair", object_ids=[review.pk],
                  details={"records": [review.record_l_id, review.record_r_id], "decision": verdict, "reason": reason})
        return link_records(record_ids={review.record_l_id, review.record_r_id}, actor=actor,
                            actor_label=str(actor), user=actor, reason=f"reviewer: {verdict}: {reason}")


def person_split(*, person_id: int, record_ids: set[int], actor, reason: str) -> LinkResult:
    """Split records off a resolved person that linkage joined wrongly: each chosen record is
    marked as a different person from each of the others, and the person is re-linked (the
    chosen records may form a person of their own, or join another)."""
    reason = _check_reviewer(actor, reason)
    with transaction.atomic():
        members = set(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
        if not visible(actor, SourceRecord.objects.filter(pk__in=members)).exists():
            raise PermissionDenied("Not found")
        chosen = set(record_ids)
        if not chosen or not chosen <= members or chosen == members:
            raise SafeguardError("Choose at least one of this person's records, but not all of them, to split off.")
        if visible(actor, SourceRecord.objects.filter(pk__in=chosen)).count() != len(chosen):
            raise PermissionDenied("Not found")
        moment = now()
        for a in chosen:
            for b in members - chosen:
                low, high = min(a, b), max(a, b)
                PairReview.objects.update_or_create(
                    record_l_id=low, record_r_id=high,
                    defaults={"status": PairReview.Status.SPLIT, "decided_at": moment, "decided_by": actor,
                              "reason": reason},
                    create_defaults={"status": PairReview.Status.SPLIT, "decided_at": moment, "decided_by": actor,
                                     "reason": reason, "created_at": moment})
        audit_log(actor=actor, action=Action.COMBINATION, object_type="resolved_person", object_ids=[person_id],
                  details={"split_off": sorted(chosen), "from": sorted(members - chosen), "reason": reason})
        return link_records(record_ids=members, actor=actor, actor_label=str(actor), user=actor,
                            reason=f"split by a reviewer: {reason}")


# ---- training a model on the force's own records --------------------------------------------

# Splink cannot estimate a model from a few records (the match prior comes out 0).
MIN_TRAINING_RECORDS = 10_000


def _models_dir() -> Path:
    return Path(settings.DATA_DIR) / "linkage-models"


def active_model() -> dict | None:
    """The model linkage uses: the one the latest `link --train` made active, else None (the
    model shipped with the package)."""
    latest = LinkageRun.objects.filter(mode="train", summary__active=True).order_by("-pk").first()
    if latest is None:
        return None
    path = Path(latest.summary["path"])
    if not path.exists():
        raise SafeguardError(f"The active linkage model {latest.model_version} is missing ({path}): restore the "
                             "file, or run `safeguard link --train` again.")
    return load_model(str(path))


def _scores(table: pa.Table, truth: dict[tuple[str, str], str], refs: dict[int, tuple[str, str]], model) -> dict:
    labelled = {rid: truth[ref] for rid, ref in refs.items() if ref in truth}
    if not labelled:
        raise SafeguardError("None of the labelled records are held: check the truth file's source and id columns.")
    limits = thresholds()
    pairs = person_engine.score(table, model, review=(limits.join, limits.join)).pairs  # no review band needed
    clusters = person_engine.cluster(table["record_id"].to_pylist(), pairs, limits.join, limits.keep)
    scores = pair_scores(clusters, labelled)
    return {"precision": round(scores.precision, 4), "recall": round(scores.recall, 4), "f1": round(scores.f1, 4),
            "labelled_records": len(labelled)}


def train_model(*, actor=None, actor_label: str = "command line", truth: dict[tuple[str, str], str] | None = None,
                table: pa.Table | None = None, seed: int = 1) -> LinkageRun:
    """Train the person model on the records held (Splink: u by random sampling, m by EM), save
    it as a new version in the data folder and record it as a `LinkageRun` (mode "train").

    With `truth` ((source, id) -> true person), both the new and the current model are scored
    on the labelled records and the new one becomes active only if its F1 is at least as good;
    without it, the new one becomes active. The shipped model stays the default whenever no
    trained model is active."""
    from .engine.training import train

    table = person_table() if table is None else table
    if table.num_rows < MIN_TRAINING_RECORDS:
        raise SafeguardError(f"Training needs at least {MIN_TRAINING_RECORDS:,} person records; {table.num_rows:,} "
                             "are held. The shipped model is used until then.")
    model = train(table, seed=seed)
    trained_at = now()
    version = f"{trained_at:%Y%m%d-%H%M%S}-{sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:8]}"
    model["safeguard_model"] = {"version": version, "trained_at": trained_at.isoformat(), "records": table.num_rows,
                                "previous": person_engine.model_version(active_model())}
    summary: dict = {"records": table.num_rows, "previous": model["safeguard_model"]["previous"], "active": True}
    if truth is not None:
        refs = dict(zip(table["record_id"].to_pylist(), zip(table["source"].to_pylist(),
                                                             _ext_ids(table["record_id"].to_pylist()), strict=True),
                        strict=True))
        summary["evaluation"] = {"new": _scores(table, truth, refs, model),
                                 "previous": _scores(table, truth, refs, active_model())}
        summary["active"] = summary["evaluation"]["new"]["f1"] >= summary["evaluation"]["previous"]["f1"]
    folder = _models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"person_model_{version}.json"
    path.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    summary["path"] = str(path)
    with transaction.atomic():
        run = LinkageRun.objects.create(started_at=trained_at, finished_at=now(), mode="train",
                                        model_version=version, summary=summary)
        audit_log(actor=actor, actor_label=actor_label, action=Action.ALTERATION, object_type="linkage_model",
                  object_ids=[version], details=summary)
    return run


def _ext_ids(record_ids: list[int]) -> list[str]:
    found: dict[int, str] = {}
    for chunk in chunks(record_ids):
        found.update(SourceRecord.objects.filter(pk__in=chunk).values_list("pk", "ext_id"))
    return [found.get(rid, "") for rid in record_ids]
