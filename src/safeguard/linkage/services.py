"""Linkage runs: score, cluster, and keep resolved ids stable, with every change recorded."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction

from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now

from .engine import locations as location_engine
from .engine import persons as person_engine
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


def _apply_decisions(pairs: pa.Table) -> pa.Table:
    """A reviewer's confirm or split wins over the model: confirmed pairs join whatever their
    weight, split pairs never join (marked as a conflict, which also breaks bridges through them)."""
    decided = {(l_, r_) if l_ < r_ else (r_, l_): status for l_, r_, status in PairReview.objects.exclude(
        status=PairReview.Status.PENDING).values_list("record_l_id", "record_r_id", "status")}
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
            weights[i], conflicts[i] = max(weights[i], 99.0), None
        elif status == PairReview.Status.SPLIT:
            conflicts[i] = "reviewer_split"
    extra = [(a, b, 99.0 if s == PairReview.Status.CONFIRMED else -99.0,
              None if s == PairReview.Status.CONFIRMED else "reviewer_split")
             for (a, b), s in decided.items() if (a, b) not in seen]
    return pa.table({
        "record_id_l": left + [e[0] for e in extra], "record_id_r": right + [e[1] for e in extra],
        "match_weight": weights + [e[2] for e in extra], "conflict": pa.array(conflicts + [e[3] for e in extra], pa.string()),
    })


def _queue_for_review(pairs: pa.Table, limits: Thresholds) -> int:
    band = pairs.filter(pc.and_(pc.and_(pc.greater_equal(pairs["match_weight"], limits.review),
                                        pc.less(pairs["match_weight"], limits.join)), pc.is_null(pairs["conflict"])))
    if band.num_rows == 0:
        return 0
    rows = band.to_pylist()
    moment = now()
    reviews = []
    for row in rows:
        a, b = sorted((row["record_id_l"], row["record_id_r"]))
        reviews.append(PairReview(record_l_id=a, record_r_id=b, match_weight=row["match_weight"],
                                  match_probability=row.get("match_probability"),
                                  evidence=person_engine.explain(row), created_at=moment))
    PairReview.objects.bulk_create(reviews, ignore_conflicts=True, batch_size=1000)
    return len(reviews)


def _assign(kind: str, clusters: dict[int, int], run: LinkageRun) -> dict[str, int]:
    """Give each cluster a resolved id: a resolved id stays with the cluster that holds most of
    its records; a cluster that unites several keeps the oldest; the rest get new ids."""
    membership, resolved_model, field = (
        (PersonMembership, ResolvedPerson, "person") if kind == "person" else (LocationMembership, ResolvedLocation, "location")
    )
    current = dict(membership.objects.values_list("record_id", f"{field}_id"))
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
    for key, records in members.items():
        target = kept[key]
        for record_id in records:
            before = current.get(record_id)
            if before == target:
                continue
            row = membership(record_id=record_id, since=moment, **{f"{field}_id": target})
            (changed_rows if before is not None else new_rows).append(row)
            history.append(MembershipChange(kind=kind, record_id=record_id, from_id=before, to_id=target, at=moment,
                                            run=run, reason="linkage run" if before is None else "re-linked by run"))
    membership.objects.bulk_create(new_rows, batch_size=1000)
    membership.objects.bulk_update(changed_rows, [f"{field}_id", "since"], batch_size=1000)
    MembershipChange.objects.bulk_create(history, batch_size=1000)
    # Resolved ids that lost all their records were merged into the cluster that took most of them.
    retired = {rid: kept[home[rid]] for rid in home if kept[home[rid]] != rid}
    for rid, into in retired.items():
        resolved_model.objects.filter(pk=rid).update(merged_into=into)
    return {"records": len(clusters), f"{kind}s": len(members), "moved": len(changed_rows), "joined": len(new_rows),
            "merged": len(retired)}


def link_all(*, actor=None, actor_label: str = "system") -> dict:
    """Batch linkage over everything held: persons with the Splink model, places by UPRN and
    normalised address. One "combination" audit entry for the run."""
    limits = thresholds()
    run = LinkageRun.objects.create(started_at=now(), mode="batch")
    locations = location_table()
    location_clusters = location_engine.match_locations(locations) if locations.num_rows else {}
    persons = person_table()
    if persons.num_rows:
        pairs = person_engine.predict(persons)
        decided = _apply_decisions(pairs)
        person_clusters = person_engine.cluster(persons["record_id"].to_pylist(), decided, limits.join, limits.keep)
    else:
        pairs, person_clusters = None, {}
    with transaction.atomic():
        summary = {"locations": _assign("location", location_clusters, run),
                   "persons": _assign("person", person_clusters, run)}
        summary["queued_for_review"] = _queue_for_review(pairs, limits) if pairs is not None else 0
        run.finished_at = now()
        run.summary = summary
        run.save(update_fields=["finished_at", "summary"])
        audit_log(actor=actor, actor_label=actor_label, action=Action.COMBINATION, object_type="linkage_run",
                  object_ids=[run.pk], details=summary)
    return summary
