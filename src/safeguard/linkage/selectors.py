"""Reading resolved persons and the review queue (always through the access layer)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from safeguard.access.masking import MASK, mask, masked_fields
from safeguard.access.policy import visible
from safeguard.alerts.models import AlertSubject
from safeguard.records.models import LocationVersion, PersonLocationVersion, PersonVersion, SourceRecord
from safeguard.records.selectors import as_of

from .engine.feedfile import ADDRESS_ROLES
from .engine.model import IDENTIFIERS as engine_identifiers
from .models import PairReview, PersonMembership


def _display_name(given: str, family: str) -> str:
    return " ".join(part for part in (given.strip(), family.strip().upper()) if part)


def person_export(*, user, person_id: int) -> dict:
    """One resolved person with the records the user may see; 404 when the user sees none of them."""
    found = persons_export(user=user, person_ids=[person_id])
    if not found:
        raise Http404("Not found")
    return found[0]


def persons_export(*, user, person_ids: list[int] | None = None) -> list[dict]:
    """Every resolved person with the source records the user may see (`persons --json`)."""
    versions = visible(user, PersonVersion.objects.filter(as_of(None)))
    if person_ids is not None:
        versions = versions.filter(record__person_membership__person_id__in=person_ids)
    rows = versions.values_list("record_id", "record__source__code", "record__ext_id", "given_names", "family_name", "dob")
    by_record = {rid: (source, ext_id, given, family, dob) for rid, source, ext_id, given, family, dob in rows}
    people: dict[int, list[int]] = defaultdict(list)
    for record_id, person_id in PersonMembership.objects.filter(record_id__in=list(by_record)).values_list("record_id", "person_id"):
        people[person_id].append(record_id)
    result = []
    for person_id in sorted(people):
        records = sorted((by_record[r] for r in people[person_id]), key=lambda r: (r[0], r[1]))
        names = Counter(_display_name(r[2], r[3]) for r in records)
        fullest = max(records, key=lambda r: (len(r[2]) + len(r[3]), r[2], r[3]))
        dobs = Counter(r[4] for r in records if len(r[4]) == 10) or Counter(r[4] for r in records if r[4])
        result.append({
            "person": str(person_id),
            # The name most agencies use; among equals the fullest ("Daniel James PRICE" over "Dan PRICE").
            "display_name": max(names, key=lambda n: (names[n], len(n), n == _display_name(fullest[2], fullest[3]))),
            "dob": dobs.most_common(1)[0][0] if dobs else None,
            "records": [{"source": r[0], "id": r[1]} for r in records],
        })
    return result


# ---- the review queue -----------------------------------------------------------------------

QUEUE_PAGE = 50


def _visible_records(user):
    return visible(user, SourceRecord.objects.all())


def _pending_for(user):
    """Pending pairs of which the user may see both records."""
    seen = _visible_records(user).values("pk")
    return PairReview.objects.filter(status=PairReview.Status.PENDING, record_l__in=seen, record_r__in=seen)


def _open_alerts_by_record(record_ids: list[int]) -> dict[int, int]:
    """Record -> the number of open alerts about the resolved person it belongs to."""
    person_of = dict(PersonMembership.objects.filter(record_id__in=record_ids).values_list("record_id", "person_id"))
    counts = dict(AlertSubject.objects.filter(person_id__in=set(person_of.values()), alert__closed_at__isnull=True,
                                              alert__resolved_at__isnull=True)
                  .values("person_id").annotate(n=Count("alert_id", distinct=True)).values_list("person_id", "n"))
    return {rid: counts.get(pid, 0) for rid, pid in person_of.items()}


@dataclass
class QueueRow:
    review: PairReview
    left: str
    right: str
    open_alerts: int


@dataclass
class ReviewQueue:
    rows: list[QueueRow]
    total: int


def review_queue(*, user) -> ReviewQueue:
    """Pending pairs the user may see, what is at stake first: the open alerts about the two
    people (a link would bring their alerts together), then the strongest evidence."""
    pending = list(_pending_for(user).only("pk", "record_l_id", "record_r_id", "match_weight", "created_at"))
    ids = sorted({r.record_l_id for r in pending} | {r.record_r_id for r in pending})
    alerts = _open_alerts_by_record(ids)
    pending.sort(key=lambda r: (-(alerts.get(r.record_l_id, 0) + alerts.get(r.record_r_id, 0)),
                                -(r.match_weight or 0.0), r.pk))
    shown = pending[:QUEUE_PAGE]
    people = {p.record_id: p for p in _person_sides(user, {i for r in shown for i in (r.record_l_id, r.record_r_id)})}
    rows = [QueueRow(r, people[r.record_l_id].label, people[r.record_r_id].label,
                     alerts.get(r.record_l_id, 0) + alerts.get(r.record_r_id, 0)) for r in shown]
    return ReviewQueue(rows=rows, total=len(pending))


@dataclass
class Side:
    """One person record as a reviewer sees it (restricted fields masked)."""

    record_id: int
    source: str
    ext_id: str
    name: str
    dob: str
    sex: str
    identifiers: list[tuple[str, str]]
    addresses: list[str]
    resolved_person: int | None
    open_alerts: int = 0

    @property
    def label(self) -> str:
        return f"{self.name}, born {self.dob}" if self.dob else self.name


IDENTIFIER_LABELS = {**engine_identifiers, "local": "local record number"}


def _person_sides(user, record_ids: set[int]) -> list[Side]:
    versions = list(PersonVersion.objects.filter(as_of(None), record_id__in=record_ids).select_related("record__source"))
    hidden = masked_fields(user, "person", record_ids)
    members = dict(PersonMembership.objects.filter(record_id__in=record_ids).values_list("record_id", "person_id"))
    homes: dict[int, list[str]] = defaultdict(list)
    links = PersonLocationVersion.objects.filter(as_of(None), person_id__in=record_ids, role__in=ADDRESS_ROLES)
    places = {lv.record_id: lv for lv in LocationVersion.objects.filter(
        as_of(None), record_id__in=links.values("location_id"))}
    location_hidden = masked_fields(user, "location", list(places))
    for link in links:
        place = places.get(link.location_id)
        if place is not None:
            text = MASK if location_hidden.get(place.record_id) else ", ".join(p for p in (place.address, place.postcode) if p)
            homes[link.person_id].append(f"{text} ({link.role.replace('_', ' ')})")
    out = []
    for v in versions:
        data = mask({"name": _display_name(v.given_names, v.family_name), "dob": v.dob, "sex": v.sex,
                     **{k: getattr(v, k) for k in IDENTIFIER_LABELS}}, hidden.get(v.record_id, set()))
        out.append(Side(record_id=v.record_id, source=v.record.source.code, ext_id=v.record.ext_id,
                        name=data["name"] or "No name", dob=data["dob"], sex=data["sex"] if data["sex"] != "unknown" else "",
                        identifiers=[(label, data[k]) for k, label in IDENTIFIER_LABELS.items() if data[k]],
                        addresses=sorted(set(homes.get(v.record_id, []))), resolved_person=members.get(v.record_id)))
    return out


@dataclass
class PairPage:
    review: PairReview
    left: Side
    right: Side
    evidence_for: list[str]
    evidence_against: list[str]
    must_not_link: list[str]


def pair_page(*, user, review_id: int) -> PairPage:
    """One pair side by side with the evidence; 404 unless the user may see both records."""
    review = get_visible_pair(user, review_id)
    sides = {s.record_id: s for s in _person_sides(user, {review.record_l_id, review.record_r_id})}
    if len(sides) < 2:
        raise Http404("Not found")
    alerts = _open_alerts_by_record(list(sides))
    for rid, side in sides.items():
        side.open_alerts = alerts.get(rid, 0)
    evidence = list(review.evidence or [])
    return PairPage(review=review, left=sides[review.record_l_id], right=sides[review.record_r_id],
                    evidence_for=[e.removeprefix("For: ") for e in evidence if e.startswith("For: ")],
                    evidence_against=[e.removeprefix("Against: ") for e in evidence if e.startswith("Against: ")],
                    must_not_link=[e.removeprefix("Must not link: ") for e in evidence if e.startswith("Must not link")])


def get_visible_pair(user, review_id: int) -> PairReview:
    seen = _visible_records(user).values("pk")
    review = PairReview.objects.filter(pk=review_id, record_l__in=seen, record_r__in=seen).first()
    if review is None:
        raise Http404("Not found")
    return review


@dataclass
class SplitPage:
    person_id: int
    name: str
    records: list[Side]


def split_page(*, user, person_id: int) -> SplitPage:
    """A resolved person's records the user may see, to choose which to split off; 404 when none."""
    members = PersonMembership.objects.filter(person_id=person_id).values("record_id")
    record_ids = set(_visible_records(user).filter(pk__in=members).values_list("pk", flat=True))
    if not record_ids:
        raise Http404("Not found")
    sides = sorted(_person_sides(user, record_ids), key=lambda s: (s.source, s.ext_id))
    names = Counter(s.name for s in sides if s.name != MASK)
    return SplitPage(person_id=person_id, name=names.most_common(1)[0][0] if names else "Person", records=sides)


def has_records(person_id: int) -> bool:
    return PersonMembership.objects.filter(person_id=person_id).exists()
