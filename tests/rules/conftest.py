"""Rule tests run through the real database and services: load feed records, link them, evaluate
as of a horizon, and read the alerts' interface JSON as of a moment."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.feed.helpers import load as feed_load_lines


@pytest.fixture
def link(db):
    """Set linkage explicitly (the probabilistic model is not what these tests are about): every
    person record is its own resolved person unless named together in a group
    (`groups=[["police/P1", "health/H3"]]`); locations are clustered by the real location matcher."""
    from safeguard.core.clock import now
    from safeguard.linkage.engine.locations import match_locations
    from safeguard.linkage.inputs import location_table
    from safeguard.linkage.models import LinkageRun
    from safeguard.linkage.services import _assign, _Why
    from safeguard.records.models import SourceRecord

    def link(groups=()):
        clusters = {pk: pk for pk in SourceRecord.objects.filter(kind="person").values_list("pk", flat=True)}
        for group in groups:
            pks = []
            for name in group:
                source, ext_id = name.split("/", 1)
                pks.append(SourceRecord.objects.get(source__code=source, kind="person", ext_id=ext_id).pk)
            for pk in pks:
                clusters[pk] = min(pks)
        run = LinkageRun.objects.create(started_at=now())
        # _assign returns (counts, changed ids, ...): the tail grew with the merges it reports
        changed_persons = _assign("person", clusters, _Why(run), subset=False)[1]
        locations = location_table()
        changed_locations = _assign("location", match_locations(locations) if locations.num_rows else {}, _Why(run),
                                    subset=False)[1]
        return changed_persons, changed_locations

    return link


def moment(text: str) -> dt.datetime:
    from safeguard.core.clock import parse_moment

    return parse_moment(text)


class Safeguard:
    """One test's view of the system: feed it records, then ask for alerts as of a moment."""

    def __init__(self, link):
        self._link = link
        self.groups: list[list[str]] = []

    def load(self, *records: dict) -> None:
        summary = feed_load_lines(*records)
        assert summary.rejected == 0, [str(e) for e in summary.errors]

    def same_person(self, *names: str) -> None:
        self.groups.append(list(names))

    def evaluate(self, horizon: str) -> dict:
        from safeguard.alerts.services import evaluate

        self._link(self.groups)
        return evaluate(horizon=moment(horizon))

    def alerts(self, at: str, rule: str | None = None, *, open_only: bool = False, evaluate: bool = True) -> list[dict]:
        """The alert JSON as of `at` (closed ones too unless open_only), after evaluating to `at`."""
        from safeguard.access.system import system_reader
        from safeguard.alerts.selectors import alerts_export

        if evaluate:
            self.evaluate(at)
        out = alerts_export(user=system_reader(), moment=moment(at), include_closed=not open_only)
        return [a for a in out if rule is None or a["rule"] == rule]

    def one(self, at: str, rule: str, **kw) -> dict:
        found = self.alerts(at, rule, **kw)
        assert len(found) == 1, f"expected one {rule} alert as of {at}, got {len(found)}: {found}"
        return found[0]

    def none(self, at: str, rule: str, **kw) -> None:
        found = self.alerts(at, rule, **kw)
        assert found == [], f"expected no {rule} alert as of {at}, got {found}"


@pytest.fixture
def sg(db, link) -> Safeguard:
    return Safeguard(link)

