"""Reading resolved persons."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.http import Http404

from safeguard.access.policy import visible
from safeguard.records.models import PersonVersion
from safeguard.records.selectors import as_of

from .models import PersonMembership


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
