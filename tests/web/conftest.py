import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from safeguard.accounts.models import Organisation, User

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is deliberately slow; these tests sign many users in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Northshire Police", kind="police")


@pytest.fixture
def user(organisation):
    return User.objects.create_user(
        username="jsmith",
        password=PASSWORD,
        organisation=organisation,
        first_name="Jane",
        last_name="Smith",
    )


# ---- the Maple Road example, linked and evaluated ------------------------------------------

ORGS = {
    "police": ("Northshire Police", "police"),
    "csc": ("Northshire Children's Services", "childrens_services"),
    "health": ("Northshire Health NHS Trust", "health"),
    "education": ("Northshire Schools", "education"),
}
SOURCES = {"police": "police", "visor": "police", "csc": "csc", "health": "health", "education": "education"}
# Places by hand, as linkage would match them: the same UPRN or the same normalised address.
PLACES = {
    "14 Maple Road": ["csc/L1", "health/HL1"],
    "31 Elm Grove": ["csc/L2"],
    "16 Maple Road": ["csc/L3"],
    "22 Station Road": ["police/PL1"],
    "Kettering area": ["police/PL2"],
    "7 Orchard Close": ["police/PL3", "visor/VL1"],
    "Little Acorns Nursery": ["education/EL1"],
}
PEOPLE = {"lily": "csc/C1", "jade": "csc/C2", "tyler": "csc/C3", "noah": "csc/C4", "dan": "police/P1",
          "mark": "police/P3", "sanjay": "police/P6"}


@dataclass
class Maple:
    people: dict[str, int]
    places: dict[str, int]
    alerts: dict[str, int]
    users: dict[str, User] = field(default_factory=dict)

    def alert(self, rule: str) -> int:
        return self.alerts[rule]


def _record(ref: str, kind: str):
    from safeguard.records.models import SourceRecord

    source, ext_id = ref.split("/")
    return SourceRecord.objects.get(source__code=source, kind=kind, ext_id=ext_id)


def _make_user(username: str, org: Organisation, role: str, **extra) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username=username, password=PASSWORD, organisation=org, **extra)
    user.groups.set([Group.objects.get(name=role)])
    return user


def _alerts(orgs: dict[str, Organisation], person_of_ref: dict[str, int]) -> None:
    """The alerts the rule engine raises for the example (kept in maple_alerts.json, as evaluated
    on 25 November 2026), so that these tests of the pages do not hang on the engine's internals."""
    from safeguard.alerts.models import Alert, AlertEvidence, AlertSubject
    from safeguard.core.clock import parse_moment

    owners = {"police": orgs["police"], "childrens_services": orgs["csc"]}
    for data in json.loads((Path(__file__).parent / "maple_alerts.json").read_text()):
        alert = Alert.objects.create(
            rule=data["rule"], key=data["key"], raised_at=parse_moment(data["raised_at"]),
            due_at=parse_moment(data["due_at"]) if data["due_at"] else None,
            closed_at=parse_moment(data["closed_at"]) if data["closed_at"] else None,
            close_reason=data["close_reason"], severity=data["severity"], summary=data["summary"],
            owner_organisation=owners[data["owner"]])
        for ref, role in data["subjects"]:
            AlertSubject.objects.create(alert=alert, person_id=person_of_ref[ref], role=role)
        for ref in data["evidence"]:
            source, kind, ext_id = ref.split("/")
            AlertEvidence.objects.create(alert=alert, record=_record(f"{source}/{ext_id}", kind))


@pytest.fixture
def maple(db) -> Maple:
    """The Maple Road feed loaded, its people and places linked as the example says, its alerts
    raised; police, children's services, health and education with the demo's sharing
    (every partner shares with the police and children's services)."""
    from django.utils import timezone

    from safeguard.accounts.models import Team
    from safeguard.alerts.models import Alert, AlertSubject
    from safeguard.feed.services import feed_load
    from safeguard.linkage.models import (
        LocationMembership,
        PersonMembership,
        ResolvedLocation,
        ResolvedPerson,
    )
    from safeguard.records.models import Source
    from safeguard.web.selectors.search import reset_index

    orgs = {code: Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for code, (name, kind) in ORGS.items()}
    for code, org in orgs.items():
        if code not in ("police", "csc"):
            org.shares_with.set([orgs["police"], orgs["csc"]])
    orgs["csc"].shares_with.set([orgs["police"]])
    orgs["police"].shares_with.set([orgs["csc"]])
    path = EXAMPLES / "maple-road.jsonl"
    lines = [(path.name, n, line) for n, line in enumerate(path.read_text().splitlines(), start=1) if line.strip()]
    feed_load(actor=None, actor_label="test", origin=path.name, lines=lines)
    for source, org in SOURCES.items():
        Source.objects.filter(code=source).update(organisation=orgs[org])

    moment = timezone.now()
    checks = json.loads((EXAMPLES / "maple-road.checks.json").read_text())
    groups = next(c["persons"] for c in checks if "persons" in c)
    person_of_ref = {}
    for group in groups:
        person = ResolvedPerson.objects.create(created_at=moment)
        for ref in group:
            PersonMembership.objects.create(record=_record(ref, "person"), person=person, since=moment)
            person_of_ref[ref] = person.pk
    places = {}
    for name, refs in PLACES.items():
        place = ResolvedLocation.objects.create(created_at=moment)
        for ref in refs:
            LocationMembership.objects.create(record=_record(ref, "location"), location=place, since=moment)
        places[name] = place.pk
    _alerts(orgs, person_of_ref)
    reset_index()

    team = Team.objects.create(organisation=orgs["police"], name="Child Protection North")
    users = {
        "investigator": _make_user("pc.jones", orgs["police"], "investigator", first_name="Sam", last_name="Jones"),
        "colleague": _make_user("pc.khan", orgs["police"], "investigator", first_name="Amir", last_name="Khan"),
        "supervisor": _make_user("sgt.lee", orgs["police"], "supervisor", first_name="Chris", last_name="Lee"),
        "nurse": _make_user("hv.brown", orgs["health"], "partner_practitioner", first_name="Pat", last_name="Brown"),
        "teacher": _make_user("dsl.green", orgs["education"], "partner_practitioner", first_name="Alex",
                              last_name="Green"),
    }
    for key in ("investigator", "colleague", "supervisor"):
        users[key].teams.add(team)
    team.supervisors.add(users["supervisor"])

    alerts = {}
    for alert in Alert.objects.all().order_by("raised_at"):
        alerts.setdefault(alert.rule, alert.pk)
    assert AlertSubject.objects.exists()
    return Maple(people={k: person_of_ref[v] for k, v in PEOPLE.items()}, places=places, alerts=alerts, users=users)


def consultations(object_type: str, object_id, actor=None):
    from safeguard.audit_trail.models import AuditEntry

    entries = AuditEntry.objects.filter(action="consultation", object_type=object_type)
    if actor is not None:
        entries = entries.filter(actor=actor)
    return [e for e in entries if str(object_id) in e.object_ids]


def text(html: str) -> str:
    """A page's words without its tags, spaces collapsed: for asserting on sentences."""
    import re
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" ,", ",").replace(" .", ".")


# ---- the browser: shared by every folder's browser tests (tests/browser.py) ------------------

from tests.browser import AXE, CHROMIUM, CHROMIUM_ARGS, Problems, serious_violations, sign_in  # noqa: E402,F401
