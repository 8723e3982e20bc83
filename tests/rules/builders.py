"""Small builders for feed records, so that each rule test reads as the situation it describes.

Times: `rec` is a record's `recorded_at`; `at` is when an event happened. Every time is an ISO
8601 string with an offset, as the feed wants it. A reference is an id of the same source
("P1") or "source/id" for a record of another source ("csc/C1").
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Monday 2 March 2026, 09:00 GMT: the default moment a record is known.
T0 = "2026-03-02T09:00:00+00:00"


def london(text: str) -> str:
    """A London wall-clock time ("2026-06-01 09:00") as the ISO UTC string the alert JSON uses."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)
    return local.astimezone(dt.UTC).isoformat()


def utc(text: str) -> str:
    """Any ISO moment as the ISO UTC string the alert JSON uses."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()


def ref(text: str | dict | None):
    if text is None or isinstance(text, dict):
        return text
    if "/" in text:
        source, ext_id = text.split("/", 1)
        return {"source": source, "id": ext_id}
    return text


def _common(kind: str, rid: str, source: str, rec: str, op: str | None = None) -> dict:
    out = {"kind": kind, "source": source, "id": rid, "recorded_at": rec}
    if op:
        out["op"] = op
    return out


def delete(kind: str, rid: str, *, rec: str, source: str = "police") -> dict:
    return _common(kind, rid, source, rec, "delete")


# ---- people and places -----------------------------------------------------------------------

def person(pid: str, dob: str | None = "1990-01-01", *, given: str = "Ryan", family: str = "COLEMAN",
           source: str = "police", rec: str = T0, **extra) -> dict:
    return {**_common("person", pid, source, rec), "given_names": given, "family_name": family, "dob": dob, **extra}


def adult(pid: str, dob: str | None = "1990-01-01", **kw) -> dict:
    return person(pid, dob, **kw)


def child(pid: str, dob: str | None = "2019-05-05", *, given: str = "Lily", family: str = "HARPER", **kw) -> dict:
    return person(pid, dob, given=given, family=family, **kw)


def place(lid: str, address: str = "14 Maple Road, Kettering", postcode: str | None = "NN16 8AB", *,
          uprn: str | None = None, source: str = "police", rec: str = T0, **extra) -> dict:
    out = {**_common("location", lid, source, rec), "address": address, **extra}
    if postcode is not None:
        out["postcode"] = postcode
    if uprn is not None:
        out["uprn"] = uprn
    return out


def lives(lid: str, who: str, where: str, *, role: str = "resides", start: str | None = None, end: str | None = None,
          source: str = "police", rec: str = T0) -> dict:
    out = {**_common("person_location", lid, source, rec), "person": ref(who), "location": ref(where), "role": role}
    if start is not None:
        out["from"] = start
    if end is not None:
        out["to"] = end
    return out


def rel(rid: str, who: str, other: str, rtype: str, *, start: str | None = None, end: str | None = None,
        source: str = "police", rec: str = T0) -> dict:
    out = {**_common("relationship", rid, source, rec), "person": ref(who), "other": ref(other), "type": rtype}
    if start is not None:
        out["from"] = start
    if end is not None:
        out["to"] = end
    return out


# ---- events ----------------------------------------------------------------------------------

def event(eid: str, etype: str, at: str, subjects: list[tuple[str, str]], *, rec: str | None = None,
          source: str = "police", location: str | None = None, ends_at: str | None = None, **attributes) -> dict:
    out = {**_common("event", eid, source, rec or at), "type": etype, "at": at,
           "subjects": [{"person": ref(p), "role": r} for p, r in subjects],
           "attributes": {k: ref(v) if k in REF_ATTRS else v for k, v in attributes.items()}}
    if location is not None:
        out["location"] = ref(location)
    if ends_at is not None:
        out["ends_at"] = ends_at
    return out


REF_ATTRS = {"offence", "order", "bail", "episode", "incident", "referral", "found_location", "about_child"}


def offence(eid: str, who: str, at: str, category: str = "violence", outcome: str = "convicted", *, role: str = "offender",
            **kw) -> dict:
    return event(eid, "offence", at, [(who, role)], category=category, outcome=outcome, **kw)


def order(eid: str, who: str, order_type: str, starts_on: str, ends_on: str | None = None, *, at: str | None = None,
          **kw) -> dict:
    attrs = {"order_type": order_type, "starts_on": starts_on}
    if ends_on is not None:
        attrs["ends_on"] = ends_on
    return event(eid, "order", at or f"{starts_on}T10:00:00+00:00", [(who, "subject")], **attrs, **kw)


def residence(location: str | None, verified: bool | None = True, text: str = "an address") -> dict:
    out = {"condition": "residence", "location": ref(location), "address_text": text}
    if verified is not None:
        out["verified"] = verified
    return out


def bail(eid: str, who: str, at: str, *, expires_on: str | None = None, bail_kind: str = "pre_charge",
         conditions: list | None = None, offence: str | None = None, **kw) -> dict:
    attrs: dict = {"bail_kind": bail_kind, "conditions": conditions or []}
    if expires_on is not None:
        attrs["expires_on"] = expires_on
    if offence is not None:
        attrs["offence"] = offence
    return event(eid, "bail", at, [(who, "bailed")], **attrs, **kw)


def breach(eid: str, who: str, of: str, at: str, outcome: str | None = None, **kw) -> dict:
    attrs = {"order": of}
    if outcome is not None:
        attrs["outcome"] = outcome
    return event(eid, "breach", at, [(who, "subject")], **attrs, **kw)


def risk_assessment(eid: str, who: str, at: str, **kw) -> dict:
    return event(eid, "risk_assessment", at, [(who, "assessed")], tool="arms", level="medium", **kw)


def registration(eid: str, who: str, starts_on: str, *, risk_level: str = "high", fixed_abode: bool = True,
                 ends_on: str | None = None, at: str | None = None, **kw) -> dict:
    return event(eid, "rso_registration", at or f"{starts_on}T10:00:00+00:00", [(who, "offender")], starts_on=starts_on,
                 ends_on=ends_on, risk_level=risk_level, fixed_abode=fixed_abode, **kw)


def notification(eid: str, who: str, at: str, notification_type: str = "annual", *, location: str | None = None,
                 **kw) -> dict:
    return event(eid, "rso_notification", at, [(who, "offender")], location=location,
                 notification_type=notification_type, **kw)


def rso_visit(eid: str, who: str, at: str, outcome: str = "seen", **kw) -> dict:
    return event(eid, "rso_visit", at, [(who, "offender")], outcome=outcome, **kw)


def episode(eid: str, who: str, at: str, *, ends_at: str | None = None, risk_level: str = "medium", **kw) -> dict:
    return event(eid, "missing_episode", at, [(who, "missing")], ends_at=ends_at, risk_level=risk_level, **kw)


def return_interview(eid: str, who: str, of: str, at: str, **kw) -> dict:
    return event(eid, "return_home_interview", at, [(who, "child")], episode=of, **kw)


def incident(eid: str, at: str, *, victim: str | None = None, perpetrator: str | None = None,
             present: tuple[str, ...] = (), **kw) -> dict:
    subjects = [(victim, "victim")] if victim else []
    subjects += [(perpetrator, "perpetrator")] if perpetrator else []
    subjects += [(c, "child_present") for c in present]
    return event(eid, "domestic_abuse_incident", at, subjects, **kw)


def encompass(eid: str, who: str, of: str, at: str, **kw) -> dict:
    return event(eid, "encompass_notification", at, [(who, "child")], incident=of, **kw)


def marac(eid: str, who: str, of: str, at: str, **kw) -> dict:
    return event(eid, "marac_referral", at, [(who, "victim")], incident=of, **kw)


def referral(eid: str, who: str, at: str, decision: str | None = "none_yet", *, to_agency: str = "csc",
             source: str = "csc", **kw) -> dict:
    attrs = {"from_agency": "police", "to_agency": to_agency, "concern": "neglect"}
    if decision is not None:
        attrs["decision"] = decision
    return event(eid, "referral", at, [(who, "child")], source=source, **attrs, **kw)


def assessment(eid: str, who: str, of: str, at: str, **kw) -> dict:
    kw.setdefault("source", "csc")
    return event(eid, "assessment", at, [(who, "child")], referral=of, **kw)


def strategy(eid: str, who: str, at: str, outcome: str = "s47", **kw) -> dict:
    kw.setdefault("source", "csc")
    return event(eid, "strategy_discussion", at, [(who, "child")], outcome=outcome, **kw)


def conference(eid: str, who: str, at: str, conference_type: str = "initial", outcome: str = "plan", **kw) -> dict:
    kw.setdefault("source", "csc")
    return event(eid, "child_protection_conference", at, [(who, "child")], conference_type=conference_type,
                 outcome=outcome, **kw)


def plan(eid: str, who: str, at: str, *, ends_at: str | None = None, **kw) -> dict:
    kw.setdefault("source", "csc")
    return event(eid, "child_protection_plan", at, [(who, "child")], ends_at=ends_at, category="neglect", **kw)


def statutory_visit(eid: str, who: str, at: str, **kw) -> dict:
    kw.setdefault("source", "csc")
    return event(eid, "statutory_visit", at, [(who, "child")], seen_alone=True, **kw)


def protection(eid: str, who: str, at: str, *, ends_at: str | None = None, **kw) -> dict:
    return event(eid, "police_protection", at, [(who, "child")], ends_at=ends_at, **kw)


def online(eid: str, suspect: str, at: str, *, kirat_level: str | None = None, triaged_at: str | None = None,
           actioned_at: str | None = None, **kw) -> dict:
    attrs: dict = {"origin": "ceop", "kirat_level": kirat_level}
    if triaged_at:
        attrs["triaged_at"] = triaged_at
    if actioned_at:
        attrs["actioned_at"] = actioned_at
    return event(eid, "online_csea_referral", at, [(suspect, "suspect")], **attrs, **kw)


# ---- reading alerts ------------------------------------------------------------------------

ROLE_ORDER = {"missing": 0, "offender": 0, "person": 0, "victim": 0, "suspect": 0, "adult": 1, "child": 2}


def who(alert: dict) -> list[tuple[str, str]]:
    """An alert's subjects as (role, "source/id+source/id") pairs, in the order the spec lists the
    roles (the alert JSON does not promise an order)."""
    pairs = [(s["role"], "+".join(sorted(f"{r['source']}/{r['id']}" for r in s["records"]))) for s in alert["subjects"]]
    return sorted(pairs, key=lambda p: (ROLE_ORDER.get(p[0], 9), p))


def times(alert: dict) -> tuple:
    return alert["raised_at"], alert["due_at"], alert["status"], alert["closed_at"]


# ---- small scenes ----------------------------------------------------------------------------

def home(cid: str = "C1", dob: str | None = "2019-05-05", *, where: str = "L1", source: str = "csc", rec: str = T0,
         **kw) -> list[dict]:
    """A child (of `source`) living at a place (14 Maple Road, with a UPRN) recorded by the same source."""
    return [place(where, uprn="100031234567", source=source, rec=rec), child(cid, dob, source=source, rec=rec, **kw),
            lives(f"{cid}-{where}", cid, where, source=source, rec=rec)]
