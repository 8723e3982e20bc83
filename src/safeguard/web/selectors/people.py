"""One person across all sources: who they are to each organisation, what is known about them,
where they live and with whom, their alerts, their chronology, their network and the records
behind it all. Everything as of a moment (None: now), through the access layer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Min, Q
from django.http import Http404
from django.urls import reverse

from safeguard.access.masking import MASK, masked_fields
from safeguard.access.policy import visible
from safeguard.alerts.models import Alert, AlertSubject
from safeguard.alerts.selectors import OPEN, status_as_of
from safeguard.core.calendar import end_of_day, london_date, months_after, start_of_day
from safeguard.linkage.models import LocationMembership, PersonMembership, ResolvedPerson
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    Kind,
    PersonLocationVersion,
    PersonVersion,
    RelationshipVersion,
    SourceRecord,
)

from ..forms import PERIODS
from ..words import (
    HOUSEHOLD_ROLES,
    IDENTIFIERS,
    LINK_ROLES,
    LINK_ROLES_AT,
    RELATIONSHIPS,
    SEVERITY_ORDER,
    SUBJECT_ROLES,
    event_details,
    event_label,
    rule_title,
    source_label,
)
from .common import (
    Marker,
    PersonBrief,
    PlaceBrief,
    best_place_label,
    counting,
    counting_event_ids,
    display_name,
    dob_text,
    moment_or_now,
    person_briefs,
    persons_of_records,
    place_briefs,
    records_of_persons,
)

CHRONOLOGY_PAGE = 30
THERE = {"resides": "lives there", "stays": "stays there"}
NETWORK_LIMIT = 150
PEOPLE_PER_PLACE = 25
PLACE_ROLES = ("resides", "stays", "visits", "bail_address", "notified_address")


def current_person_id(person_id: int) -> int:
    """The resolved id a person now has (a merge keeps the oldest id; the others point to it)."""
    seen = set()
    current = person_id
    while current not in seen:
        seen.add(current)
        merged_into = ResolvedPerson.objects.filter(pk=current).values_list("merged_into", flat=True).first()
        if not merged_into:
            return current
        current = merged_into
    return current


@dataclass
class PersonHeader:
    id: int
    records: list[int]
    brief: PersonBrief
    known_then: bool

    @property
    def name(self) -> str:
        return self.brief.name

    @property
    def markers(self) -> list[Marker]:
        return self.brief.markers


def person_header(user, person_id: int, moment: dt.datetime | None) -> PersonHeader:
    """The person's name, age and markers; 404 unless the user may see one of their records."""
    records = list(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
    if not records or not visible(user, SourceRecord.objects.filter(pk__in=records)).exists():
        raise Http404("Not found")
    brief = person_briefs(user, [person_id], moment, with_markers=True, records={person_id: records}).get(person_id)
    known_then = brief is not None
    if brief is None:  # recorded only after the moment asked: name them as they are known now
        brief = person_briefs(user, [person_id], None).get(person_id) or PersonBrief(id=person_id, name="Name not shared")
        brief.age, brief.markers = "", []
    return PersonHeader(id=person_id, records=records, brief=brief, known_then=known_then)


# ---- summary ---------------------------------------------------------------------------------

@dataclass
class IdentityRow:
    record_id: int
    source: str
    ext_id: str
    name: str
    aliases: list[str]
    dob: str
    sex: str
    identifiers: list[tuple[str, str]]
    deceased_on: dt.date | None
    recorded_at: dt.datetime
    first_recorded_at: dt.datetime | None
    load: str
    masked: bool

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass
class AddressRow:
    """One place and one way of being linked to it, as every source that records it says."""

    role: str
    place: PlaceBrief
    from_date: dt.date | None
    to_date: dt.date | None
    current: bool
    held_by: list[tuple[str, str]]  # (source, record id)

    @property
    def role_label(self) -> str:
        return LINK_ROLES.get(self.role, self.role)


@dataclass
class Member:
    person_id: int
    brief: PersonBrief
    roles: list[str] = field(default_factory=list)


@dataclass
class Household:
    place: PlaceBrief
    members: list[Member]


@dataclass
class RelationshipRow:
    label: str
    person_id: int
    brief: PersonBrief | None
    from_date: dt.date | None
    to_date: dt.date | None
    current: bool
    sources: list[str]


@dataclass
class AlertRow:
    alert: Alert
    status: str
    overdue: bool
    roles: list[str]

    @property
    def title(self) -> str:
        return rule_title(self.alert.rule)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass
class PersonSummary:
    identities: list[IdentityRow]
    addresses_now: list[AddressRow]
    addresses_before: list[AddressRow]
    households: list[Household]
    relationships: list[RelationshipRow]
    alerts_open: list[AlertRow]
    alerts_closed: list[AlertRow]


def _current(from_date: dt.date | None, to_date: dt.date | None, on: dt.date) -> bool:
    return (from_date is None or from_date <= on) and (to_date is None or to_date >= on)


def _identities(user, records: list[int], moment: dt.datetime | None) -> list[IdentityRow]:
    versions = list(visible(user, counting(PersonVersion, moment, Q(record_id__in=records))).select_related(
        "record__source", "load").order_by("record__source__code", "record__ext_id"))
    hidden = masked_fields(user, "person", [v.record_id for v in versions])
    rows = []
    for v in versions:
        masked = hidden.get(v.record_id, set())
        identifiers = [(IDENTIFIERS[k], getattr(v, k)) for k in IDENTIFIERS if getattr(v, k)]
        aliases = [display_name(a.get("given_names", ""), a.get("family_name", "")) for a in v.aliases or []
                   if isinstance(a, dict)]
        rows.append(IdentityRow(
            record_id=v.record_id, source=v.record.source.code, ext_id=v.record.ext_id,
            name=MASK if {"given_names", "family_name"} & masked else display_name(v.given_names, v.family_name),
            aliases=[MASK] if "aliases" in masked and aliases else aliases,
            dob=MASK if "dob" in masked and v.dob else dob_text(v.dob),
            sex=MASK if "sex" in masked else ("" if v.sex == "unknown" else v.sex),
            identifiers=[(label, MASK) for label, _ in identifiers] if "identifiers" in masked else identifiers,
            deceased_on=v.deceased_on, recorded_at=v.recorded_at, first_recorded_at=v.record.first_recorded_at,
            load=f"load {v.load_id} ({v.load.origin})", masked=bool(masked)))
    return rows


def _links(user, person_records: list[int], moment: dt.datetime | None, roles=None):
    qs = visible(user, counting(PersonLocationVersion, moment, Q(person_id__in=person_records)))
    if roles:
        qs = qs.filter(role__in=roles)
    return list(qs.values_list("record_id", "person_id", "location_id", "role", "from_date", "to_date",
                               "record__source__code", "record__ext_id"))


def _place_records(place_ids: set[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for record_id, location_id in LocationMembership.objects.filter(location_id__in=place_ids).values_list(
            "record_id", "location_id"):
        out[location_id].append(record_id)
    return out


def _addresses(user, records: list[int], moment: dt.datetime | None) -> tuple[list[AddressRow], list[AddressRow]]:
    on = london_date(moment_or_now(moment))
    links = _links(user, records, moment)
    places = place_briefs(user, {link[2] for link in links if link[2]}, moment)
    rows: dict[tuple, AddressRow] = {}
    for _record_id, _person, location, role, start, end, source, ext_id in links:
        if not location:
            continue
        place, current = places[location], _current(start, end, on)
        key = (place.place_id or -location, role, current)
        row = rows.get(key)
        if row is None:
            rows[key] = AddressRow(role, place, start, end, current, [(source, ext_id)])
            continue
        row.held_by.append((source, ext_id))
        row.from_date = min((d for d in (row.from_date, start) if d), default=None)
        row.to_date = None if row.current else max((d for d in (row.to_date, end) if d), default=None)
        if best_place_label([row.place, place]) is place:
            row.place = place
    now_rows = [r for r in rows.values() if r.current]
    before_rows = [r for r in rows.values() if not r.current]
    role_order = {r: i for i, r in enumerate(LINK_ROLES)}
    now_rows.sort(key=lambda r: (role_order.get(r.role, 99), -(r.from_date or dt.date.min).toordinal()))
    before_rows.sort(key=lambda r: -(r.to_date or r.from_date or dt.date.min).toordinal())
    return now_rows, before_rows


def _households(user, person_id: int, addresses_now: list[AddressRow], moment: dt.datetime | None):
    """Everyone else who lives or stays now where the person lives or stays now. Returns a
    function that builds the households from the briefs of the people named (and the ids to
    read briefs of), so that the page reads every brief it shows in one go."""
    on = london_date(moment_or_now(moment))
    homes = [row for row in addresses_now if row.role in HOUSEHOLD_ROLES]
    place_ids = {row.place.place_id for row in homes if row.place.place_id}
    records_of_place = _place_records(place_ids)
    home_records: dict[int, int] = {}  # location record -> household key
    firsts: dict[int, PlaceBrief] = {}
    for row in homes:
        key = row.place.place_id or -row.place.record_id
        firsts.setdefault(key, row.place)
        for record in records_of_place.get(row.place.place_id, [row.place.record_id]):
            home_records[record] = key
    if not home_records:
        return set(), lambda briefs: []
    rows = visible(user, counting(PersonLocationVersion, moment, Q(location_id__in=list(home_records))).filter(
        role__in=HOUSEHOLD_ROLES)).values_list(
        "person_id", "location_id", "role", "from_date", "to_date")
    present: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    person_records = set()
    for person_record, location, role, start, end in rows:
        if _current(start, end, on):
            present[home_records[location]][person_record].add(role)
            person_records.add(person_record)
    person_of = persons_of_records(person_records)
    labels = place_briefs(user, home_records, moment)
    for key in firsts:
        best = best_place_label(b for r, b in labels.items() if home_records[r] == key)
        firsts[key] = best or firsts[key]
    return set(person_of.values()) - {person_id}, lambda briefs: _build_households(
        person_id, firsts, present, person_of, briefs)


def _build_households(person_id: int, firsts: dict, present: dict, person_of: dict[int, int],
                      briefs: dict[int, PersonBrief]) -> list[Household]:
    out = []
    for key, place in firsts.items():
        members: dict[int, Member] = {}
        for person_record, roles in present.get(key, {}).items():
            pid = person_of[person_record]
            if pid == person_id or pid not in briefs:
                continue
            member = members.setdefault(pid, Member(pid, briefs[pid]))
            member.roles = sorted(set(member.roles) | {THERE[r] for r in roles})
        ordered = sorted(members.values(), key=lambda m: (not m.brief.is_child, m.brief.name))
        out.append(Household(place, ordered))
    return out


def _relationships(user, records: list[int], moment: dt.datetime | None):
    """The person's relationships: the ids of the other people, and a function that builds the
    rows from their briefs (see _households)."""
    on = london_date(moment_or_now(moment))
    rows = list(visible(user, counting(RelationshipVersion, moment,
                                       Q(person_id__in=records) | Q(other_id__in=records))).values_list(
        "person_id", "other_id", "type", "from_date", "to_date", "record__source__code"))
    mine = set(records)
    others = {(o if p in mine else p) for p, o, *_ in rows}
    person_of = persons_of_records(r for r in others if r)
    return set(person_of.values()), lambda briefs: _build_relationships(rows, mine, person_of, briefs, on)


def _build_relationships(rows: list[tuple], mine: set[int], person_of: dict[int, int], briefs: dict[int, PersonBrief],
                         on: dt.date) -> list[RelationshipRow]:
    merged: dict[tuple[str, int], RelationshipRow] = {}
    for person_record, other_record, rtype, start, end, source in rows:
        forward = person_record in mine
        other = other_record if forward else person_record
        if other in mine or not other:
            continue
        label = RELATIONSHIPS.get(rtype, (rtype, rtype))[0 if forward else 1]
        pid = person_of[other]
        row = merged.get((label, pid))
        if row is None:
            merged[(label, pid)] = RelationshipRow(label, pid, briefs.get(pid), start, end, _current(start, end, on),
                                                   [source])
        else:
            row.sources = sorted(set(row.sources) | {source})
            row.current = row.current or _current(start, end, on)
    return sorted(merged.values(), key=lambda r: (not r.current, r.label, r.brief.name if r.brief else ""))


def _alerts(user, person_id: int, moment: dt.datetime | None) -> tuple[list[AlertRow], list[AlertRow]]:
    when = moment_or_now(moment)
    roles: dict[int, list[str]] = defaultdict(list)
    for alert_id, role in AlertSubject.objects.filter(person_id=person_id).values_list("alert_id", "role"):
        roles[alert_id].append(SUBJECT_ROLES.get(role, role))
    alerts = visible(user, Alert.objects.filter(pk__in=list(roles), raised_at__lte=when)).select_related(
        "owner_organisation", "owner_team", "assigned_to").order_by("-raised_at")
    open_rows, closed_rows = [], []
    for alert in alerts:
        status, _ = status_as_of(alert, when)
        row = AlertRow(alert, status, status in OPEN and alert.due_at is not None and when > alert.due_at,
                       roles[alert.pk])
        (open_rows if row.is_open else closed_rows).append(row)
    open_rows.sort(key=lambda r: (not r.overdue, SEVERITY_ORDER.index(r.alert.severity)
                                  if r.alert.severity in SEVERITY_ORDER else 9, r.alert.due_at or r.alert.raised_at))
    return open_rows, closed_rows


def person_summary(user, header: PersonHeader, moment: dt.datetime | None) -> PersonSummary:
    addresses_now, addresses_before = _addresses(user, header.records, moment)
    alerts_open, alerts_closed = _alerts(user, header.id, moment)
    household_people, households = _households(user, header.id, addresses_now, moment)
    related_people, relationships = _relationships(user, header.records, moment)
    # One read of names, ages and markers for everyone the page names.
    briefs = person_briefs(user, household_people | related_people, moment, with_markers=True)
    return PersonSummary(
        identities=_identities(user, header.records, moment),
        addresses_now=addresses_now, addresses_before=addresses_before,
        households=households(briefs), relationships=relationships(briefs),
        alerts_open=alerts_open, alerts_closed=alerts_closed,
    )


# ---- chronology ------------------------------------------------------------------------------

@dataclass
class ChronologyOptions:
    types: list[str]
    sources: list[str]


@dataclass
class TimelineItem:
    record_id: int
    source: str
    ext_id: str
    type: str
    at: dt.datetime | None
    ends_at: dt.datetime | None
    roles: list[str]
    details: list[str]
    others: list[tuple[int, str, str]]
    place: PlaceBrief | None
    recorded_at: dt.datetime
    first_recorded_at: dt.datetime | None
    versions: int
    load: str
    found: PlaceBrief | None = None  # where a missing child was found

    @property
    def title(self) -> str:
        return event_label(self.type)

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass
class Chronology:
    page: Page
    items: list[TimelineItem]
    total: int


def _events_of(user, records: list[int], moment: dt.datetime | None):
    return visible(user, EventVersion.objects.filter(pk__in=counting_event_ids(moment, Q(person_id__in=records))))


def chronology_options(user, header: PersonHeader, moment: dt.datetime | None) -> ChronologyOptions:
    rows = set(_events_of(user, header.records, moment).order_by().values_list("type", "record__source__code").distinct())
    return ChronologyOptions(types=sorted({t for t, _ in rows}, key=event_label), sources=sorted({s for _, s in rows}))


def timeline_items(user, versions: list[EventVersion], moment: dt.datetime | None,
                   own_records: set[int] | None = None) -> list[TimelineItem]:
    """Events as timeline entries: who was involved (in what role), where, and their provenance."""
    ids = [v.pk for v in versions]
    subjects: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for version_id, person, role in visible(user, EventSubject.objects.filter(version_id__in=ids)).values_list(
            "version_id", "person_id", "role"):
        subjects[version_id].append((person, role))
    person_of = persons_of_records({p for rows in subjects.values() for p, _ in rows})
    own = own_records or set()
    briefs = person_briefs(user, {person_of[p] for rows in subjects.values() for p, _ in rows if p not in own}, moment)
    found_at = dict(EventReference.objects.filter(version_id__in=ids, name="found_location").values_list(
        "version_id", "target_id"))
    places = place_briefs(user, {v.location_id for v in versions if v.location_id} | set(found_at.values()), moment)
    counts = dict(visible(user, EventVersion.objects.filter(record_id__in=[v.record_id for v in versions])).filter(
        recorded_at__lte=moment_or_now(moment), deleted=False).order_by().values_list("record_id").annotate(n=Count("pk")))
    items = []
    for v in versions:
        roles, others = [], []
        for person_record, role in subjects.get(v.pk, []):
            label = SUBJECT_ROLES.get(role, role)
            if person_record in own:
                roles.append(label)
                continue
            pid = person_of[person_record]
            brief = briefs.get(pid)
            others.append((pid, brief.name if brief else "a person not shared with you", label))
        items.append(TimelineItem(
            record_id=v.record_id, source=v.record.source.code, ext_id=v.record.ext_id, type=v.type, at=v.at,
            ends_at=v.ends_at, roles=sorted(set(roles)), details=event_details(v.type, v.attributes), others=others,
            place=places.get(v.location_id) if v.location_id else None, recorded_at=v.recorded_at,
            first_recorded_at=v.record.first_recorded_at, versions=counts.get(v.record_id, 1),
            load=f"load {v.load_id} ({v.load.origin})", found=places.get(found_at[v.pk]) if v.pk in found_at else None))
    return items


def chronology(user, header: PersonHeader, moment: dt.datetime | None, *, filters: dict, page: int | str = 1) -> Chronology:
    qs = _events_of(user, header.records, moment)
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("source"):
        qs = qs.filter(record__source__code=filters["source"])
    if filters.get("period") in PERIODS:
        qs = qs.filter(at__gte=moment_or_now(moment) - dt.timedelta(days=PERIODS[filters["period"]][1]))
    if filters.get("start"):
        qs = qs.filter(at__gte=start_of_day(filters["start"]))
    if filters.get("end"):
        qs = qs.filter(at__lt=end_of_day(filters["end"]))
    qs = qs.select_related("record__source", "load").order_by(F("at").desc(nulls_last=True), "-recorded_at", "-pk")
    paginator = Paginator(qs, CHRONOLOGY_PAGE)
    page_obj = paginator.get_page(page)
    items = timeline_items(user, list(page_obj.object_list), moment, set(header.records))
    return Chronology(page=page_obj, items=items, total=paginator.count)


# ---- source records --------------------------------------------------------------------------

@dataclass
class RecordRow:
    record_id: int
    kind: str
    source: str
    ext_id: str
    what: str
    first_recorded_at: dt.datetime | None
    recorded_at: dt.datetime | None
    versions: int
    load: str

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass
class PersonVersionRow:
    record_id: int
    source: str
    ext_id: str
    recorded_at: dt.datetime
    valid_to: dt.datetime | None
    name: str
    dob: str
    load: str
    deleted: bool


@dataclass
class SourceRecords:
    groups: list[tuple[str, list[RecordRow]]]
    person_versions: list[PersonVersionRow]
    total: int


def source_records(user, header: PersonHeader, moment: dt.datetime | None) -> SourceRecords:
    """Every source record behind the person's pages, with its provenance: when each source first
    and last recorded it, how many versions there are, and the load the counting version came in."""
    when = moment_or_now(moment)
    records = header.records
    link_ids = set(PersonLocationVersion.objects.filter(person_id__in=records).values_list("record_id", flat=True))
    rel_ids = set(RelationshipVersion.objects.filter(Q(person_id__in=records) | Q(other_id__in=records)).values_list(
        "record_id", flat=True))
    event_ids = set(EventVersion.objects.filter(pk__in=EventSubject.objects.filter(person_id__in=records).values(
        "version_id")).values_list("record_id", flat=True))
    from safeguard.records.models import VERSION_MODELS

    wanted = [(Kind.PERSON, "Person records", set(records)), (Kind.PERSON_LOCATION, "Address links", link_ids),
              (Kind.RELATIONSHIP, "Relationships", rel_ids), (Kind.EVENT, "Events", event_ids)]
    groups = []
    total = 0
    for kind, label, ids in wanted:
        model = VERSION_MODELS[kind]
        seen = visible(user, model.objects.filter(record_id__in=ids, recorded_at__lte=when))
        stats = {r: (n, first, last) for r, n, first, last in seen.order_by().values_list("record_id").annotate(
            n=Count("pk"), first=Min("recorded_at"), last=Max("recorded_at")).values_list("record_id", "n", "first", "last")}
        current = {v.record_id: v for v in visible(user, counting(model, moment, Q(record_id__in=ids))).select_related(
            "record__source", "load")}
        rows = []
        for record_id, version in current.items():
            n, first, _last = stats.get(record_id, (1, None, None))
            rows.append(RecordRow(record_id, kind, version.record.source.code, version.record.ext_id, _what(kind, version),
                                  first, version.recorded_at, n, f"load {version.load_id} ({version.load.origin})"))
        rows.sort(key=lambda r: (r.source, r.recorded_at or when), reverse=False)
        total += len(rows)
        if rows:
            groups.append((label, rows))
    history = visible(user, PersonVersion.objects.filter(record_id__in=records, recorded_at__lte=when)).select_related(
        "record__source", "load").order_by("record__source__code", "record__ext_id", "recorded_at")
    hidden = masked_fields(user, "person", records)
    versions = []
    for v in history:
        masked = hidden.get(v.record_id, set())
        versions.append(PersonVersionRow(
            v.record_id, v.record.source.code, v.record.ext_id, v.recorded_at,
            v.valid_to if v.valid_to and v.valid_to <= when else None,
            MASK if {"given_names", "family_name"} & masked else display_name(v.given_names, v.family_name),
            MASK if "dob" in masked and v.dob else dob_text(v.dob), f"load {v.load_id} ({v.load.origin})", v.deleted))
    return SourceRecords(groups=groups, person_versions=versions, total=total)


def _what(kind: str, version) -> str:
    if kind == Kind.PERSON:
        return "Name, date of birth and identifiers"
    if kind == Kind.PERSON_LOCATION:
        return LINK_ROLES.get(version.role, version.role)
    if kind == Kind.RELATIONSHIP:
        return RELATIONSHIPS.get(version.type, (version.type,))[0]
    return event_label(version.type) + (f", {version.at:%-d %b %Y}" if version.at else "")


# ---- network ---------------------------------------------------------------------------------

@dataclass
class NetworkEdge:
    source: str
    target: str
    label: str
    back_label: str  # the same connection read from the target: "lives at" / "lives here"
    short: str = ""  # for the drawing: "lives", "partner", "found"


@dataclass
class Network:
    centre: int
    people: list[PersonBrief]
    places: list[PlaceBrief]
    distance: dict[str, int]
    edges: list[NetworkEdge]
    truncated: bool

    def as_cytoscape(self, as_of_query: str = "") -> dict:
        nodes = []
        for p in self.people:
            key = f"p{p.id}"
            nodes.append({"data": {
                "id": key, "kind": "person", "label": p.name + (f" ({p.age})" if p.age else ""), "risk": p.risk,
                "centre": p.id == self.centre, "level": 3 - self.distance.get(key, 2),
                "markers": [m.label for m in p.risk_markers],
                "url": reverse("web:person", args=[p.id]) + as_of_query if p.placed else "",
            }})
        for place in self.places:
            key = _place_key(place)
            nodes.append({"data": {
                "id": key, "kind": "place", "label": place.text, "risk": "place", "centre": False,
                "level": 3 - self.distance.get(key, 2), "markers": [],
                "url": reverse("web:place", args=[place.place_id]) + as_of_query if place.place_id else "",
            }})
        # One line per pair, labelled with the first way they are connected (and how many more);
        # the list beside the drawing names them all.
        pairs: dict[tuple[str, str], list[NetworkEdge]] = defaultdict(list)
        for e in self.edges:
            key = (e.target, e.source) if (e.target, e.source) in pairs else (e.source, e.target)
            pairs[key].append(e)
        edges = []
        for i, ((a, b), found) in enumerate(pairs.items()):
            shorts = list(dict.fromkeys(e.short or e.label for e in found))
            edges.append({"data": {"id": f"e{i}", "source": a, "target": b,
                                   "label": shorts[0] + (f" +{len(shorts) - 1}" if len(shorts) > 1 else ""),
                                   "all": [e.label for e in found]}})
        return {"elements": {"nodes": nodes, "edges": edges}, "truncated": self.truncated}

    def neighbours(self, key: str) -> list[tuple[str, str]]:
        """(label, other node key) for each edge of a node, for the list beside the drawing."""
        out = []
        for e in self.edges:
            if e.source == key:
                out.append((e.label, e.target))
            elif e.target == key:
                out.append((e.back_label, e.source))
        return out

    def rows(self) -> list[dict]:
        """The network as a list: each node with what it is connected to, nearest first."""
        labels = {f"p{p.id}": p.name for p in self.people} | {_place_key(p): p.text for p in self.places}
        out = []
        for p in sorted(self.people, key=lambda p: (self.distance.get(f"p{p.id}", 9), p.name)):
            out.append({"kind": "person", "node": p, "distance": self.distance.get(f"p{p.id}", 2),
                        "links": [(label, labels.get(k, "")) for label, k in self.neighbours(f"p{p.id}")]})
        for place in sorted(self.places, key=lambda p: (self.distance.get(_place_key(p), 9), p.text)):
            out.append({"kind": "place", "node": place, "distance": self.distance.get(_place_key(place), 2),
                        "links": [(label, labels.get(k, "")) for label, k in self.neighbours(_place_key(place))]})
        return out


EVENT_PLACE_MONTHS = 24
SHORT = {"lives at": "lives", "stays at": "stays", "visits": "visits", "bail address": "bail address",
         "notified address (sex offender register)": "notified address", "attends (school or nursery)": "attends",
         "works at": "works", "found at (after going missing)": "found", "found at": "found", "parent of": "parent",
         "carer of": "carer", "partner of": "partner", "sibling of": "sibling", "lives with": "household",
         "associate of": "associate"}


def _event_places(user, moment: dt.datetime | None, who: Q) -> list[tuple[int, int, str, str, str]]:
    """(person record, location record, "link", label, back label) for the places of recent events:
    where an event happened, and where a missing child was found."""
    since = months_after(moment_or_now(moment), -EVENT_PLACE_MONTHS)
    versions = counting_event_ids(moment, who)
    subjects = visible(user, EventSubject.objects.filter(who, version_id__in=versions, version__at__gte=since))
    out = []
    for person, etype, location in subjects.filter(version__location__isnull=False).values_list(
            "person_id", "version__type", "version__location_id").distinct():
        label = event_label(etype).lower()
        out.append((person, location, "link", f"{label} at", f"{label} here"))
    for person, place in subjects.filter(version__references__name="found_location").values_list(
            "person_id", "version__references__target_id").distinct():
        out.append((person, place, "link", "found at", "missing child found here"))
    return sorted(out)


def _link_labels(role: str) -> tuple[str, str]:
    return LINK_ROLES.get(role, role).lower(), LINK_ROLES_AT.get(role, role).lower()


def _place_key(place: PlaceBrief) -> str:
    return f"l{place.place_id}" if place.place_id else f"r{place.record_id}"


def network(user, header: PersonHeader, moment: dt.datetime | None) -> Network:
    """People and places within two steps of the person, as of the moment: where they live, stay or
    go and who else does, to whom they are related, and the places and relations of those."""
    on = london_date(moment_or_now(moment))
    centre = f"p{header.id}"
    level: dict[str, int] = {centre: 0}
    records_of: dict[str, list[int]] = {centre: list(header.records)}
    edges: dict[tuple[str, str, str], NetworkEdge] = {}
    truncated = False
    frontier = [centre]
    for depth in (0, 1):
        person_recs = {r: k for k in frontier if k[0] == "p" for r in records_of[k]}
        place_recs = {r: k for k in frontier if k[0] != "p" for r in records_of[k]}
        found: list[tuple[int, int, str, str, str]] = []  # (person record, location or person record, kind, label, back)
        if person_recs:
            for _rid, person, location, role, start, end, *_ in _links(user, list(person_recs), moment):
                if location and _current(start, end, on):
                    found.append((person, location, "link", *_link_labels(role)))
            for person, other, rtype, start, end in visible(user, counting(RelationshipVersion, moment, Q(
                    person_id__in=list(person_recs)) | Q(other_id__in=list(person_recs)))).values_list(
                    "person_id", "other_id", "type", "from_date", "to_date"):
                if person and other and _current(start, end, on):
                    forward, back = RELATIONSHIPS.get(rtype, (rtype, rtype))
                    found.append((person, other, "rel", forward.lower(), back.lower()))
            found += _event_places(user, moment, Q(person_id__in=list(person_recs)))
        if place_recs:
            # From a place, only the people linked to it as a home or address (a school's pupils
            # or a town centre's passers-by are no one's network), and at most PEOPLE_PER_PLACE.
            at_place: dict[str, int] = defaultdict(int)
            for person, location, role, start, end in visible(user, counting(
                    PersonLocationVersion, moment, Q(location_id__in=list(place_recs)))).filter(
                    role__in=PLACE_ROLES).order_by("-from_date", "pk").values_list(
                    "person_id", "location_id", "role", "from_date", "to_date"):
                if person and _current(start, end, on):
                    at_place[place_recs[location]] += 1
                    if at_place[place_recs[location]] > PEOPLE_PER_PLACE:
                        truncated = True
                        continue
                    found.append((person, location, "link", *_link_labels(role)))
            found += _event_places(user, moment, Q(version__references__name="found_location",
                                                   version__references__target_id__in=list(place_recs)))
        person_key = {r: f"p{p}" for r, p in persons_of_records(
            {a for a, *_ in found} | {b for _, b, kind, *_ in found if kind == "rel"}).items()}
        location_ids = dict(LocationMembership.objects.filter(
            record_id__in={b for _, b, kind, *_ in found if kind == "link"}).values_list("record_id", "location_id"))
        place_key = {b: (f"l{location_ids[b]}" if b in location_ids else f"r{b}")
                     for _, b, kind, *_ in found if kind == "link"}
        following = []
        for a, b, kind, label, back in found:
            nodes = (person_key[a], person_key[b] if kind == "rel" else place_key[b])
            for node in nodes:
                if node not in level:
                    if len(level) >= NETWORK_LIMIT:
                        truncated = True
                        continue
                    level[node] = depth + 1
                    following.append(node)
            if all(n in level for n in nodes) and nodes[0] != nodes[1]:
                edges.setdefault((*nodes, label), NetworkEdge(nodes[0], nodes[1], label, back, SHORT.get(label, label)))
        if depth == 0:
            new_people = [int(k[1:]) for k in following if k[0] == "p"]
            for pid, recs in records_of_persons(new_people).items():
                records_of[f"p{pid}"] = recs
            resolved = {int(k[1:]) for k in following if k[0] == "l"}
            for location, recs in _place_records(resolved).items():
                records_of[f"l{location}"] = recs
            for k in following:
                if k[0] == "r":
                    records_of[k] = [int(k[1:])]
        frontier = following

    briefs = person_briefs(user, [int(k[1:]) for k in level if k[0] == "p"], moment, with_markers=True)
    place_nodes = [k for k in level if k[0] != "p"]
    place_records = {k: records_of.get(k) for k in place_nodes}
    missing = [int(k[1:]) for k, recs in place_records.items() if recs is None and k[0] == "l"]
    for location, recs in _place_records(set(missing)).items():
        place_records[f"l{location}"] = recs
    for k in place_nodes:
        if place_records.get(k) is None:
            place_records[k] = [int(k[1:])] if k[0] == "r" else []
    infos = place_briefs(user, {r for recs in place_records.values() for r in recs}, moment)
    place_of_node: dict[str, PlaceBrief] = {}
    for k, recs in place_records.items():
        shown = [infos[r] for r in recs if r in infos and infos[r].shared]
        if shown:
            place_of_node[k] = max(shown, key=lambda b: (not b.masked, bool(b.postcode), len(b.address)))
    kept = {k for k in level if (k[0] == "p" and int(k[1:]) in briefs) or k in place_of_node}
    kept_edges = [e for e in edges.values() if e.source in kept and e.target in kept]
    # Nodes reached only through someone the user may not see drop out with them.
    reachable, todo = {centre}, [centre]
    while todo:
        node = todo.pop()
        for e in kept_edges:
            for a, b in ((e.source, e.target), (e.target, e.source)):
                if a == node and b not in reachable:
                    reachable.add(b)
                    todo.append(b)
    kept &= reachable
    return Network(
        centre=header.id,
        people=[briefs[int(k[1:])] for k in level if k in kept and k[0] == "p"],
        places=[place_of_node[k] for k in level if k in kept and k[0] != "p"],
        distance={k: v for k, v in level.items() if k in kept},
        edges=[e for e in kept_edges if e.source in kept and e.target in kept],
        truncated=truncated,
    )
