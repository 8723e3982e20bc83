"""The words the pages use for codes: rules, event types, roles, links and sources.

Practitioners read these under time pressure; each says what the thing is, in plain English,
without the feed's codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

SEVERITY_ORDER = ("critical", "high", "medium", "low")
SEVERITY_TAGS = {"critical": "govuk-tag--red", "high": "govuk-tag--orange", "medium": "govuk-tag--yellow",
                 "low": "govuk-tag--grey"}
STATUS_LABELS = {"open": "Open", "acknowledged": "Acknowledged", "resolved": "Resolved", "satisfied": "Done",
                 "lapsed": "Lapsed"}
STATUS_TAGS = {"open": "govuk-tag--blue", "acknowledged": "govuk-tag--purple", "resolved": "govuk-tag--green",
               "satisfied": "govuk-tag--green", "lapsed": "govuk-tag--grey"}

# rule code -> (what it is, what must be done)
RULES: dict[str, tuple[str, str]] = {
    "RISKY-ADULT-CHILD": ("Adult with a risk marker linked to a child's home",
                          "Assess the risk this adult poses to the children in the household and record the risk assessment."),
    "NEW-ADULT-PLAN": ("New adult in the home of a child on a protection plan",
                       "Find out who the new adult is and record a risk assessment of them."),
    "BAIL-ADDRESS": ("Bail address not specific or not verified",
                     "Verify the bail residence address and record it as a specific, verified address."),
    "REOFFEND-REASSESS": ("Suspected of offending while on an order or bail",
                          "Reassess the risk this person poses and record the risk assessment."),
    "ORDER-BREACH-2": ("Second breach of a community order in 12 months",
                       "Return the order to court or charge, and record the outcome on the breach."),
    "BREACH-WARNING-ONLY": ("Sex offender breach dealt with by a warning letter only",
                            "Investigate the breach, charge or return to court, and record the outcome."),
    "BAIL-EXPIRY": ("Pre-charge bail about to expire",
                    "Extend the bail, charge, or release under investigation before the bail expires."),
    "RSO-ANNUAL": ("Sex offender's annual notification due",
                   "Make sure the registered sex offender makes their annual notification."),
    "RSO-ADDRESS": ("Sex offender living at an address they have not notified",
                    "Check the address and make sure the offender notifies it."),
    "RSO-CHILD-HOUSEHOLD": ("Sex offender in a household with a child",
                            "Protect the children, and get a notification of residing in a household with a child."),
    "RSO-VISIT": ("Sex offender home visit due", "Visit the registered sex offender and see them."),
    "RSO-NO-FIXED-ABODE": ("Sex offender with no fixed abode has stopped notifying",
                           "Find the offender and get a notification from them."),
    "MISSING-HIGH": ("Child missing, high risk",
                     "Find the child. The alert stays open until the child is found."),
    "RHI-72H": ("Return home interview due",
                "Offer and complete a return home interview within 72 hours of the child coming back."),
    "MISSING-REPEAT": ("Child missing again and again", "Hold a strategy discussion about the child."),
    "MISSING-FOUND-WITH-RISK": ("Missing child found where a risky adult lives",
                                "Hold a strategy discussion about the child."),
    "ENCOMPASS": ("Child exposed to domestic abuse: tell the school",
                  "Send an Operation Encompass notification to the child's school before the next school day."),
    "DA-MARAC": ("High-risk domestic abuse victim: refer to MARAC",
                 "Refer the victim to the multi-agency risk assessment conference (MARAC)."),
    "REFERRAL-DECISION": ("Referral waiting for a decision",
                          "Decide what happens next with the referral, within one working day."),
    "ASSESSMENT-45": ("Child's assessment due", "Complete the child's assessment within 45 working days of the referral."),
    "ICPC-15": ("Initial child protection conference due",
                "Hold the initial child protection conference within 15 working days of the strategy discussion."),
    "CP-REVIEW": ("Child protection review conference due", "Hold the child protection review conference."),
    "CP-VISIT": ("Statutory visit due", "Visit the child on the plan and record the statutory visit."),
    "POLICE-PROTECTION-72H": ("Police protection reaches its 72-hour limit",
                              "End police protection or arrange the child's care before 72 hours have passed."),
    "ONLINE-TRIAGE": ("Online child abuse referral to triage", "Triage the referral and record its KIRAT level."),
    "ONLINE-ACTION": ("Online child abuse referral to act on",
                      "Act on the triaged referral and record when it was actioned."),
    "SUPERVISION-DUE": ("Supervisory review of an investigation due", "Review the investigation with the investigator."),
    "INVESTIGATION-STALE": ("Investigation with no recent activity",
                            "Progress the investigation, or record why it is waiting."),
}

EVENT_TYPES: dict[str, str] = {
    "offence": "Offence",
    "arrest": "Arrest",
    "bail": "Bail",
    "released_under_investigation": "Released under investigation",
    "order": "Order",
    "breach": "Breach",
    "risk_assessment": "Risk assessment",
    "rso_registration": "Sex offender registration",
    "rso_notification": "Sex offender notification",
    "rso_visit": "Sex offender home visit",
    "missing_episode": "Missing episode",
    "return_home_interview": "Return home interview",
    "domestic_abuse_incident": "Domestic abuse incident",
    "encompass_notification": "Operation Encompass notification",
    "marac_referral": "MARAC referral",
    "referral": "Referral",
    "assessment": "Assessment",
    "strategy_discussion": "Strategy discussion",
    "s47_enquiry": "Section 47 enquiry",
    "child_protection_conference": "Child protection conference",
    "child_protection_plan": "Child protection plan",
    "statutory_visit": "Statutory visit",
    "police_protection": "Police protection",
    "online_csea_referral": "Online child sexual abuse referral",
}

SUBJECT_ROLES: dict[str, str] = {
    "suspect": "suspect", "offender": "offender", "victim": "victim", "witness": "witness", "arrested": "arrested",
    "bailed": "bailed", "subject": "subject", "assessed": "assessed", "missing": "missing", "child": "child",
    "child_present": "child present", "perpetrator": "perpetrator", "referrer": "referrer", "adult": "adult",
    "person": "person",
}

LINK_ROLES: dict[str, str] = {
    "resides": "Lives at", "stays": "Stays at", "visits": "Visits", "bail_address": "Bail address",
    "notified_address": "Notified address (sex offender register)", "attends": "Attends (school or nursery)",
    "works": "Works at", "found_at": "Found at (after going missing)",
}
# The same roles, seen from the place.
LINK_ROLES_AT: dict[str, str] = {
    "resides": "Lives here", "stays": "Stays here", "visits": "Visits", "bail_address": "Bailed to live here",
    "notified_address": "Notified this address (sex offender register)", "attends": "Attends", "works": "Works here",
    "found_at": "Found here after going missing",
}
HOUSEHOLD_ROLES = ("resides", "stays")

# relationship type -> (from the person's side, from the other's side)
RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "parent_of": ("Parent of", "Child of"),
    "carer_of": ("Carer of", "Cared for by"),
    "partner_of": ("Partner of", "Partner of"),
    "sibling_of": ("Sibling of", "Sibling of"),
    "household_member": ("Lives with", "Lives with"),
    "associate_of": ("Associate of", "Associate of"),
}

# relationship type -> (the person's part, the other's part)
RELATIONSHIP_PARTS: dict[str, tuple[str, str]] = {
    "parent_of": ("parent", "child"), "carer_of": ("carer", "cared for"), "partner_of": ("partner", "partner"),
    "sibling_of": ("sibling", "sibling"), "household_member": ("household member", "household member"),
    "associate_of": ("associate", "associate"),
}

SOURCES: dict[str, str] = {
    "police": "Police", "visor": "Sex offender register (ViSOR)", "csc": "Children's social care",
    "health": "Health", "education": "Education", "probation": "Probation",
}

IDENTIFIERS: dict[str, str] = {"nhs": "NHS number", "pnc": "PNC ID", "cro": "CRO number", "upn": "Unique pupil number",
                               "ni": "National Insurance number", "visor": "ViSOR ID", "local": "Local ID"}

KINDS: dict[str, str] = {"person": "Person record", "location": "Address record", "person_location": "Address link",
                         "relationship": "Relationship record", "event": "Event"}


def rule_title(code: str) -> str:
    return RULES.get(code, (code.replace("-", " ").capitalize(), ""))[0]


def rule_action(code: str) -> str:
    return RULES.get(code, ("", "Look at the evidence and act on it."))[1]


def source_label(code: str) -> str:
    return SOURCES.get(code, code)


def event_label(event_type: str) -> str:
    return EVENT_TYPES.get(event_type, event_type.replace("_", " ").capitalize())


def words(code: Any) -> str:
    """`domestic_abuse` -> `domestic abuse`."""
    return str(code).replace("_", " ") if code not in (None, "") else ""


def _when(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%-d %b %Y")
    return timezone.localtime(moment).strftime("%-d %b %Y, %H:%M")


def _day(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return dt.date.fromisoformat(value).strftime("%-d %b %Y")
    except ValueError:
        return value


def event_details(event_type: str, attrs: dict[str, Any]) -> list[str]:
    """What an event's attributes say, one short phrase each, in the order a reader wants them."""
    a = attrs or {}
    out: list[str] = []

    def add(text: str, *values: Any) -> None:
        if all(v not in (None, "", []) for v in values):
            out.append(text)

    if event_type == "offence":
        add(f"{words(a.get('category')).capitalize()}", a.get("category"))
        add(f"Outcome: {words(a.get('outcome'))}" + (f" on {_when(a.get('outcome_at'))}" if a.get("outcome_at") else ""),
            a.get("outcome"))
        add("The victim is a child", a.get("victim_is_child") or None)
        add(f"“{a.get('description')}”", a.get("description"))
    elif event_type == "bail":
        add(f"{words(a.get('bail_kind')).capitalize().replace('Pre charge', 'Pre-charge').replace('Post charge', 'Post-charge')} bail",
            a.get("bail_kind"))
        add(f"Expires on {_day(a.get('expires_on'))}", a.get("expires_on"))
        for condition in a.get("conditions") or []:
            if not isinstance(condition, dict):
                continue
            kind = words(condition.get("condition"))
            text = condition.get("address_text") or ""
            verified = "verified" if condition.get("verified") else "not verified"
            if condition.get("condition") == "residence":
                out.append(f"Condition: residence at {text or 'an address not given'} ({verified})")
            else:
                out.append(f"Condition: {kind.replace('non contact', 'no contact')}" + (f" ({text})" if text else ""))
    elif event_type == "order":
        add(f"{words(a.get('order_type')).capitalize()}", a.get("order_type"))
        span = " to ".join(x for x in (_day(a.get("starts_on")), _day(a.get("ends_on")) or "no end date") if x)
        add(f"From {span}", a.get("starts_on"))
        add("Requirements: " + "; ".join(str(r) for r in a.get("requirements") or []), a.get("requirements"))
    elif event_type == "breach":
        add(f"Outcome: {words(a.get('outcome'))}", a.get("outcome"))
        add(f"“{a.get('description')}”", a.get("description"))
    elif event_type == "risk_assessment":
        add(f"Tool: {str(a.get('tool', '')).upper()}", a.get("tool"))
        add(f"Level: {words(a.get('level'))}", a.get("level"))
        add(f"Score: {a.get('score')}", a.get("score"))
    elif event_type == "rso_registration":
        span = " to ".join(x for x in (_day(a.get("starts_on")), _day(a.get("ends_on")) or "indefinitely") if x)
        add(f"Registered from {span}", a.get("starts_on"))
        add(f"Risk level: {words(a.get('risk_level'))}", a.get("risk_level"))
        add("No fixed abode", a.get("fixed_abode") is False or None)
    elif event_type == "rso_notification":
        add(f"{words(a.get('notification_type')).capitalize()} notification", a.get("notification_type"))
        add(f"Departs {_when(a.get('departs_at'))}", a.get("departs_at"))
    elif event_type == "rso_visit":
        add(f"Outcome: {words(a.get('outcome'))}", a.get("outcome"))
        add("Announced" if a.get("announced") else "Unannounced", a.get("announced") is not None or None)
    elif event_type == "missing_episode":
        add(f"Risk: {words(a.get('risk_level'))}", a.get("risk_level"))
        add("Missing from care", a.get("from_care") or None)
    elif event_type == "return_home_interview":
        add(f"Offered {_when(a.get('offered_at'))}", a.get("offered_at"))
        add(f"Completed {_when(a.get('completed_at'))}", a.get("completed_at"))
        add("Declined by the child", a.get("declined") or None)
    elif event_type == "domestic_abuse_incident":
        add(f"DASH score {a.get('dash_score')}", a.get("dash_score"))
        add(f"Risk: {words(a.get('risk_level'))}", a.get("risk_level"))
    elif event_type == "referral":
        add(f"From {words(a.get('from_agency'))} to {words(a.get('to_agency'))}", a.get("from_agency"), a.get("to_agency"))
        add(f"Concern: {words(a.get('concern'))}", a.get("concern"))
        add(f"Decision: {words(a.get('decision'))}" + (f" on {_when(a.get('decided_at'))}" if a.get("decided_at") else ""),
            a.get("decision"))
    elif event_type in ("assessment", "s47_enquiry"):
        add(f"Completed {_when(a.get('completed_at'))}", a.get("completed_at"))
        add(f"Outcome: {words(a.get('outcome'))}", a.get("outcome"))
    elif event_type == "strategy_discussion":
        add(f"Outcome: {words(a.get('outcome')).replace('s47', 'section 47 enquiry')}", a.get("outcome"))
    elif event_type == "child_protection_conference":
        add(f"{words(a.get('conference_type')).capitalize()} conference", a.get("conference_type"))
        add(f"Outcome: {words(a.get('outcome'))}", a.get("outcome"))
    elif event_type == "child_protection_plan":
        add(f"Category: {words(a.get('category'))}", a.get("category"))
    elif event_type == "statutory_visit":
        add("Seen alone" if a.get("seen_alone") else "Not seen alone", a.get("seen_alone") is not None or None)
    elif event_type == "online_csea_referral":
        add(f"From {str(a.get('origin', '')).upper()}", a.get("origin"))
        add(f"KIRAT level: {words(a.get('kirat_level'))}" if a.get("kirat_level") else "Not yet triaged", True)
        add(f"Triaged {_when(a.get('triaged_at'))}", a.get("triaged_at"))
        add(f"Actioned {_when(a.get('actioned_at'))}", a.get("actioned_at"))
    return out
