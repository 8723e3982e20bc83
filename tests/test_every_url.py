"""Every URL pattern, from the resolver (so pages added tomorrow are walked too), and every API
operation, from the OpenAPI document:

- anonymous: pages send to the sign-in page, the admin to its login, the API answers 401;
- every role in every organisation: no server error anywhere, and an object URL with an object
  the user may not see answers exactly like one with an object that does not exist (404);
- CSRF: every page refuses a POST without the token, htmx or not.

Object ids come from a world with objects visible to some organisations and not to others.
Patterns whose ids cannot be filled that way are listed in UNFILLED with the reason; a new
pattern that is neither fillable nor listed fails the test, so nobody forgets one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from safeguard.accounts.roles import ROLE_CODES
from tests.web import conftest as web_world

# The Maple Road world of the web tests: four organisations, their people, places and alerts.
maple, fast_passwords = web_world.maple, web_world.fast_passwords
# Probation shares with nobody, so its person, place and alert are hidden from every other organisation.
ORGS = {**web_world.ORGS, "probation": ("Northshire Probation", "probation")}


@pytest.fixture
def world(maple):
    """Maple Road, plus a probation case no other organisation may see."""
    from django.utils import timezone

    from safeguard.accounts.models import Organisation
    from safeguard.alerts.models import Alert, AlertEvidence
    from safeguard.linkage.models import (
        LocationMembership,
        PersonMembership,
        ResolvedLocation,
        ResolvedPerson,
    )
    from safeguard.records.models import Source, SourceRecord
    from tests.feed.helpers import load

    probation = Organisation.objects.create(name=ORGS["probation"][0], kind="probation")
    at = "2026-01-01T09:00:00+00:00"
    load({"kind": "person", "source": "probation", "id": "N1", "recorded_at": at, "given_names": "Kyle",
          "family_name": "WEST", "dob": "1990-01-01"},
         {"kind": "location", "source": "probation", "id": "NL1", "recorded_at": at, "address": "9 Hidden Lane",
          "postcode": "NN1 9ZZ"},
         {"kind": "event", "source": "probation", "id": "NE1", "recorded_at": at, "type": "assessment", "at": at,
          "subjects": [{"person": "N1", "role": "child"}], "location": "NL1"})
    Source.objects.filter(code="probation").update(organisation=probation)
    moment = timezone.now()
    PersonMembership.objects.create(record=SourceRecord.objects.get(source__code="probation", ext_id="N1"),
                                    person=ResolvedPerson.objects.create(created_at=moment), since=moment)
    LocationMembership.objects.create(record=SourceRecord.objects.get(source__code="probation", ext_id="NL1"),
                                      location=ResolvedLocation.objects.create(created_at=moment), since=moment)
    alert = Alert.objects.create(rule="RHI-72H", key="probation-walk", raised_at=moment, severity="high",
                                 summary="s", owner_organisation=probation)
    AlertEvidence.objects.create(alert=alert, record=SourceRecord.objects.get(source__code="probation", ext_id="NE1"))
    police = Organisation.objects.get(name=ORGS["police"][0])
    for number, organisation in enumerate((police, probation), start=1):
        _case_with_everything(number, organisation, partner=Organisation.objects.get(name=ORGS["csc"][0]))
    return maple


def _case_with_everything(number: int, organisation, *, partner):
    """An investigation with an action, a bail and a referral, owned by `organisation` (made
    directly: the walk needs the objects, tests/casework tests how they are made)."""
    import datetime as dt

    from django.utils import timezone

    from safeguard.accounts.models import Team, User
    from safeguard.casework.models import Action, Bail, Investigation, InvestigationSubject, Referral
    from safeguard.linkage.models import ResolvedPerson

    moment = timezone.now()
    team = Team.objects.create(organisation=organisation, name=f"Walk team {number}")
    officer = User.objects.create_user(username=f"walk-officer-{number}", organisation=organisation)
    child = ResolvedPerson.objects.create(created_at=moment)
    case = Investigation.objects.create(
        reference=f"CP-WALK-{number}", title="Walked case", category="neglect", risk_level="medium",
        organisation=organisation, team=team, officer=officer, opened_at=moment, opened_by=officer,
        last_activity_at=moment)
    InvestigationSubject.objects.create(investigation=case, person=child, role="child", added_at=moment)
    Action.objects.create(investigation=case, description="Visit", owner=officer, due_at=moment + dt.timedelta(days=3),
                          created_at=moment, created_by=officer)
    Bail.objects.create(investigation=case, suspect=child, kind="rui", starts_on=moment.date(), recorded_at=moment,
                        recorded_by=officer)
    Referral.objects.create(investigation=case, to_organisation=partner if number == 1 else organisation,
                            agency="childrens_social_care", shared="s", reason="r", request="q", sent_at=moment,
                            sent_by=officer, response_due_at=moment + dt.timedelta(days=1))

MISSING = 10**9  # an id no object has

#: pages anyone may open without signing in
PUBLIC = {"web:sign-in", "api:openapi-json", "api:openapi-view", "api:api-root"}

#: patterns with ids this world cannot fill with a visible and an invisible object, and why.
#: They are still walked with an id that does not exist (which must be a 404, never a 500).
UNFILLED = {
    "inspections:exercise": "inspection exercises: no shared factory yet; tests/inspections cover them",
    "inspections:draw": "inspection exercises (as above)",
    "inspections:case": "inspection exercises (as above)",
    "inspections:settle": "inspection exercises (as above)",
    "inspections:publish": "inspection exercises (as above)",
    "inspections:report": "inspection exercises (as above)",
    "inspections:report-pdf": "inspection exercises (as above)",
    "inspections:plan": "inspection exercises (as above)",
    "inspections:recommendation-add": "inspection exercises (as above)",
    "inspections:action-add": "inspection exercises (as above)",
    "inspections:action-update": "inspection exercises (as above)",
    "linkage:review-pair": "pair reviews are a linkage reviewer's queue, not organisation-owned objects",
    "infosec:break-glass-review": "break-glass uses are seen by information security only, not by organisation",
    "infosec:retention-decide": "retention reviews are information security's queue, not organisation-owned",
}

#: non-id parameters, filled with a real value
SLUGS = {"page": "backlogs", "fmt": "csv"}


@dataclass(frozen=True)
class Pattern:
    route: str  # e.g. "people/<int:person_id>/"
    name: str  # e.g. "web:person"

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    def url(self, **values) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
            yield Pattern(route, f"{namespace}:{entry.name}" if namespace else entry.name or route)


def every_pattern() -> list[Pattern]:
    found = list(_walk(get_resolver().url_patterns))
    assert len(found) > 60, "the resolver lost its patterns"
    return found


def admin_urls() -> list[str]:
    """The admin's pages for every registered model (its patterns are regular expressions, so
    they are built by name): index, list, add and the change page of a missing object."""
    from django.contrib import admin
    from django.urls import reverse

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add"), reverse(f"{prefix}_change", args=[MISSING])]
    return urls


# ---- the world: who can see which person, place and alert ------------------------------------

def _visible_and_hidden(user, ids: dict[int, set[int]], visible_records: set[int]) -> tuple[int | None, int | None]:
    """ids: object id -> its source record ids. One object the user sees, one they do not."""
    seen = sorted(i for i, records in ids.items() if records & visible_records)
    hidden = sorted(i for i, records in ids.items() if not records & visible_records)
    return (seen[0] if seen else None), (hidden[0] if hidden else None)


@dataclass
class Ids:
    visible: dict[str, int | None]
    hidden: dict[str, int | None]
    casework: Ids | None = None


def ids_for(user) -> Ids:
    from safeguard.access.policy import visible
    from safeguard.alerts.models import Alert
    from safeguard.linkage.models import LocationMembership, PersonMembership
    from safeguard.records.models import SourceRecord

    records = set(visible(user, SourceRecord.objects.all()).values_list("pk", flat=True))
    people: dict[int, set[int]] = {}
    for record, person in PersonMembership.objects.values_list("record_id", "person_id"):
        people.setdefault(person, set()).add(record)
    places: dict[int, set[int]] = {}
    for record, place in LocationMembership.objects.values_list("record_id", "location_id"):
        places.setdefault(place, set()).add(record)
    alerts_seen = set(visible(user, Alert.objects.all()).values_list("pk", flat=True))
    alerts_all = set(Alert.objects.values_list("pk", flat=True))
    person = _visible_and_hidden(user, people, records)
    place = _visible_and_hidden(user, places, records)
    return Ids(visible={"person_id": person[0], "place_id": place[0], "alert_id": min(alerts_seen, default=None)},
               hidden={"person_id": person[1], "place_id": place[1],
                       "alert_id": min(alerts_all - alerts_seen, default=None)})


FILLED_PARAMS = {"person_id", "place_id", "alert_id"}

#: patterns whose `pk` names a casework object (casework uses `pk` for each of its kinds)
CASEWORK_PK = {"casework:action-done": "action", "casework:bail-verify": "bail", "casework:referral": "referral"}


def _casework_model(pattern: Pattern) -> str | None:
    if pattern.name in CASEWORK_PK:
        return CASEWORK_PK[pattern.name]
    return "investigation" if pattern.name.startswith("casework:") and pattern.params == ["pk"] else None


def casework_ids(user) -> Ids:
    """For each casework kind: one object the user's organisation owns (which the user may or
    may not work on: only "no server error" is asked of it) and one owned by an organisation
    that is not the user's, which must look missing. A partner's referral is theirs to see."""
    from safeguard.access.policy import visible
    from safeguard.casework.models import Action, Bail, Investigation, Referral

    found = Ids({}, {})
    for kind, model in (("investigation", Investigation), ("action", Action), ("bail", Bail), ("referral", Referral)):
        seen = set(visible(user, model.objects.all()).values_list("pk", flat=True))
        every = set(model.objects.values_list("pk", flat=True))
        found.visible[kind] = min(seen, default=None)
        found.hidden[kind] = min(every - seen, default=None)
    return found


#: API path parameters filled from the casework objects
API_CASEWORK = {"referral_id": "referral"}


def _fillable(pattern: Pattern) -> bool:
    return (set(pattern.params) <= FILLED_PARAMS | set(SLUGS) | set(API_CASEWORK)
            or _casework_model(pattern) is not None)


# ---- the tests -----------------------------------------------------------------------------

def test_every_pattern_with_ids_is_filled_or_listed_with_a_reason():
    unlisted = [p.name for p in every_pattern()
                if p.params and not p.is_admin and not _fillable(p) and p.name not in UNFILLED]
    assert not unlisted, f"New URL patterns whose ids this test cannot fill: {unlisted}. " \
                         "Teach ids_for() to make a visible and an invisible object, or list them in UNFILLED."
    stale = set(UNFILLED) - {p.name for p in every_pattern()}
    assert not stale, f"UNFILLED lists patterns that no longer exist: {sorted(stale)}"


def _missing_url(pattern: Pattern) -> str:
    return pattern.url(**{p: SLUGS.get(p, MISSING) for p in pattern.params})


def _site_urls() -> list[tuple[str, str]]:
    """(name, url) of every page and API pattern, and the admin's pages."""
    found = [(p.name, _missing_url(p)) for p in every_pattern() if not p.is_admin]
    return found + [("admin", url) for url in admin_urls()]


def test_anonymous_users_are_sent_to_sign_in_and_the_api_answers_401(client, maple):
    for name, url in _site_urls():
        if name in PUBLIC:
            continue
        response = client.get(url)
        where = f"{name} {url}"
        if url.startswith("/api/"):
            assert response.status_code in (401, 405), where
        elif url.startswith("/admin/"):
            assert response.status_code == 302 and "/admin/login/" in response["Location"], where
        else:
            assert response.status_code in (302, 405), where
            if response.status_code == 302:
                assert response["Location"].startswith("/sign-in/"), where


def _requests(pattern: Pattern, ids: Ids) -> Iterator[tuple[str, str]]:
    """(kind, url) to try: the visible object, and the hidden one (or a missing one)."""
    if not pattern.params:
        yield "page", pattern.url()
        return
    slugs = {p: SLUGS[p] for p in pattern.params if p in SLUGS}
    keys = [p for p in pattern.params if p not in SLUGS]
    if not keys:
        yield "page", pattern.url(**slugs)
        return
    if pattern.name in UNFILLED or not _fillable(pattern):
        yield "missing", pattern.url(**slugs, **{k: MISSING for k in keys})
        return
    kind = _casework_model(pattern)
    if kind is not None:
        ids = Ids({"pk": ids.casework.visible[kind]}, {"pk": ids.casework.hidden[kind]})
    if all(ids.visible.get(k) for k in keys):
        yield "visible", pattern.url(**slugs, **{k: ids.visible[k] for k in keys})
    if all(ids.hidden.get(k) for k in keys):
        yield "hidden", pattern.url(**slugs, **{k: ids.hidden[k] for k in keys})
    else:  # a missing id answers like a hidden one (test_a_hidden_object_answers_exactly_like_a_missing_one)
        yield "missing", pattern.url(**slugs, **{k: MISSING for k in keys})


def _web_patterns() -> list[Pattern]:
    return [p for p in every_pattern() if not p.is_admin and not p.is_api and p.name not in ("web:sign-out",)]


@pytest.mark.parametrize("org_code", list(ORGS))
def test_every_role_gets_no_server_error_and_not_allowed_looks_like_not_found(world, make_user, org_code):
    name, kind = ORGS[org_code]
    checked: dict[str, int] = {"visible": 0, "hidden": 0, "missing": 0, "page": 0}
    for role in ROLE_CODES:
        user = make_user(f"walk-{role}-{org_code}", organisation=name, kind=kind, roles=(role,))
        client = Client()
        client.force_login(user)
        ids = ids_for(user)
        ids.casework = casework_ids(user)
        for pattern in _web_patterns():
            for what, url in _requests(pattern, ids):
                response = client.get(url)
                where = f"{role}@{org_code} GET {pattern.name} {url} ({what})"
                assert response.status_code < 500, where
                if what in ("hidden", "missing"):
                    assert response.status_code in (404, 405), where  # never 403: not allowed looks like not found
                checked[what] += 1
                checked["casework hidden"] = checked.get("casework hidden", 0) + (
                    what == "hidden" and pattern.name.startswith("casework:"))
    assert checked["hidden"] and checked["visible"] and checked["page"], checked
    # every casework kind was tried with another organisation's object, for every role
    assert checked["casework hidden"] >= len(ROLE_CODES) * 15, checked


def test_the_api_refuses_other_organisations_objects_as_not_found(client, world):
    maple = world
    from safeguard.api.models import PartnerToken

    token = PartnerToken(name="school-walk", organisation=maple.users["teacher"].organisation, sources=["education"])
    raw = token.issue()
    token.save()
    ids = ids_for(maple.users["teacher"])
    casework = casework_ids(maple.users["teacher"])
    ids.hidden.update({param: casework.hidden[kind] for param, kind in API_CASEWORK.items()})
    assert all(ids.hidden[param] for param in API_CASEWORK), "the world has no referral hidden from the school"
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            for what, values in (("hidden", ids.hidden), ("missing", {})):
                url = re.sub(r"\{(\w+)\}", lambda m, values=values: str(values.get(m.group(1)) or MISSING), path)
                response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}", content_type="application/json")
                where = f"{method.upper()} {url} ({what})"
                assert response.status_code < 500, where
                if "{" in path:
                    assert response.status_code in (404, 422, 400), where
                    assert response.status_code != 403, where
            unauthenticated = getattr(client, method)(re.sub(r"\{\w+\}", "1", path))
            assert unauthenticated.status_code == 401, f"{method.upper()} {path} without a token"


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_every_page_refuses_a_post_without_the_csrf_token(maple, htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(maple.users["supervisor"])
    headers = {"HX-Request": "true"} if htmx else {}
    refused = 0
    for name, url in _site_urls():
        if url.startswith("/api/"):
            continue  # bearer tokens, never cookies: CSRF cannot ride on them
        response = client.post(url, {"reason": "x" * 30, "note": "x"}, headers=headers)
        assert response.status_code == 403, f"POST {name} {url} without a CSRF token: {response.status_code}"
        assert b"CSRF" in response.content, f"POST {name} {url} refused, but not for CSRF"
        refused += 1
    assert refused > 60


def test_a_hidden_object_answers_exactly_like_a_missing_one(world):
    maple = world
    client = Client()
    client.force_login(maple.users["teacher"])
    ids = ids_for(maple.users["teacher"])
    assert ids.hidden["person_id"] and ids.hidden["alert_id"]
    for page in ("/people/{}/", "/alerts/{}/"):
        key = "person_id" if "people" in page else "alert_id"
        hidden = client.get(page.format(ids.hidden[key]))
        missing = client.get(page.format(MISSING))
        assert hidden.status_code == missing.status_code == 404
        assert [t.name for t in hidden.templates] == [t.name for t in missing.templates]

