"""Writing casework. Each service runs in one transaction, checks permission inside it, writes
the case's log entry (its history in recorded time) and an audit entry in the same transaction.

Edits of the case's own fields carry the `version` the form was read at: a save from an older
version is refused (`EditConflict`) and changes nothing, so the second of two people editing
the same case is told, and neither loses what they wrote.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from safeguard.access.policy import can_view, visible
from safeguard.accounts.models import Organisation, Team, User
from safeguard.alerts.models import Alert
from safeguard.audit_trail.services import Action as AuditAction
from safeguard.audit_trail.services import audit_log
from safeguard.core.clock import now as clock_now
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.linkage.models import ResolvedPerson

from . import bail as pace
from .access import CASE_WORKERS, can_work_on, is_case_supervisor
from .models import (
    Action,
    Bail,
    Investigation,
    InvestigationLog,
    InvestigationSubject,
    Referral,
    SupervisoryReview,
)

Stage = Investigation.Stage
Kind = InvestigationLog.Kind

#: where each stage may go next (closure goes through request and sign-off, never directly)
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    Stage.REFERRAL: (Stage.STRATEGY_DISCUSSION,),
    Stage.STRATEGY_DISCUSSION: (Stage.SECTION_47, Stage.CRIMINAL_INVESTIGATION),
    Stage.SECTION_47: (Stage.CRIMINAL_INVESTIGATION,),
    Stage.CRIMINAL_INVESTIGATION: (Stage.SECTION_47,),
}
#: the partner agency each kind of organisation answers for
AGENCY_OF_KIND = {
    Organisation.Kind.CHILDRENS_SERVICES: Referral.Agency.CHILDRENS_SOCIAL_CARE,
    Organisation.Kind.HEALTH: Referral.Agency.HEALTH,
    Organisation.Kind.EDUCATION: Referral.Agency.EDUCATION,
    Organisation.Kind.PROBATION: Referral.Agency.PROBATION,
}


class EditConflict(SafeguardError):
    """Someone else saved the case since this form was read."""


class AlreadyAnswered(SafeguardError):
    """A referral is answered once."""


@dataclass(frozen=True)
class Direction:
    description: str
    owner: User
    due_at: dt.datetime


# ---- helpers -------------------------------------------------------------------------------

def _log(investigation: Investigation, actor, kind: str, at: dt.datetime, text: str = "", **data) -> InvestigationLog:
    entry = InvestigationLog.objects.create(investigation=investigation, actor=actor, kind=kind, at=at, text=text,
                                            data=data)
    Investigation.objects.filter(pk=investigation.pk).update(last_activity_at=at)
    investigation.last_activity_at = at
    return entry


def _audit(actor, kind: str, object_type: str, ids: Iterable, **details) -> None:
    audit_log(actor=actor, action=kind, object_type=object_type, object_ids=[str(i) for i in ids], details=details)


def _require_work(actor, investigation: Investigation) -> None:
    if not can_work_on(actor, investigation):
        raise PermissionDenied("You cannot work on this case.")
    if not investigation.is_open:
        raise SafeguardError("This case is closed: reopen it first.")


def _locked(investigation: Investigation) -> Investigation:
    return Investigation.objects.select_for_update().get(pk=investigation.pk)


def _bump(investigation: Investigation, version: int, **changes) -> None:
    """Save the case's own fields only if nobody saved it since `version` was read."""
    updated = Investigation.objects.filter(pk=investigation.pk, version=version).update(version=F("version") + 1, **changes)
    if not updated:
        raise EditConflict("Someone else changed this case while you were editing it. Your changes have not been "
                           "saved: they are shown below, with the case as it is now. Check them and save again.")
    investigation.refresh_from_db()


def _colleague(actor, user: User | None, what: str) -> None:
    if user is not None and user.organisation_id != actor.organisation_id:
        raise SafeguardError(f"The {what} must be someone in your organisation.")


# ---- opening and editing --------------------------------------------------------------------

def investigation_open(*, actor: User, title: str, category: str, risk_level: str, team: Team, summary: str = "",
                       officer: User | None = None, subjects: Sequence[tuple[int, str]] = (), alert: Alert | None = None,
                       origin: str = "", at: dt.datetime | None = None) -> Investigation:
    """Open a case by hand, from an alert (its subjects become the case's) or from a referral."""
    moment = at or clock_now()
    if not actor.organisation_id or team.organisation_id != actor.organisation_id:
        raise PermissionDenied("You can open cases only for a team of your own organisation.")
    if not actor.has_role(*CASE_WORKERS):
        raise PermissionDenied("Only investigators and supervisors open cases.")
    _colleague(actor, officer, "officer in charge")
    if alert is not None and not can_view(actor, alert):
        raise PermissionDenied("You cannot see that alert.")
    people = list(dict.fromkeys(subjects))
    if alert is not None:
        people += [(person, _role_from_alert(role)) for person, role in alert.subjects.values_list("person_id", "role")]
        people = list(dict.fromkeys(people))
    known = set(ResolvedPerson.objects.filter(pk__in=[p for p, _ in people]).values_list("pk", flat=True))
    if any(p not in known for p, _ in people):
        raise SafeguardError("One of the people chosen is not known to Safeguard.")
    with transaction.atomic():
        investigation = Investigation.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:24]}", title=title.strip(), summary=summary.strip(), category=category,
            risk_level=risk_level, organisation_id=actor.organisation_id, team=team, officer=officer or actor,
            origin=origin or (Investigation.Origin.ALERT if alert else Investigation.Origin.MANUAL),
            opened_from_alert=alert, opened_at=moment, opened_by=actor, last_activity_at=moment)
        investigation.reference = f"CP-{moment.year}-{investigation.pk:06d}"
        investigation.save(update_fields=["reference"])
        InvestigationSubject.objects.bulk_create([
            InvestigationSubject(investigation=investigation, person_id=p, role=r, added_at=moment) for p, r in people])
        _log(investigation, actor, Kind.OPENED, moment, f"Opened: {title.strip()}", risk=risk_level, stage=Stage.REFERRAL,
             alert=alert.pk if alert else None, subjects=[[p, r] for p, r in people])
        _audit(actor, AuditAction.COLLECTION, "investigation", [investigation.pk], alert=alert.pk if alert else None,
               subjects=len(people))
    return investigation


def _role_from_alert(role: str) -> str:
    """Alert subject roles (rules.md) mapped onto a case's roles."""
    if role in ("child", "missing"):
        return InvestigationSubject.Role.CHILD
    if role in ("offender", "adult", "suspect", "person"):
        return InvestigationSubject.Role.SUSPECT
    if role == "victim":
        return InvestigationSubject.Role.VICTIM
    return InvestigationSubject.Role.OTHER


def investigation_update(*, actor: User, investigation: Investigation, version: int, title: str, summary: str,
                         risk_level: str, officer: User) -> Investigation:
    """Edit the case's summary, risk level and officer in charge (optimistic concurrency)."""
    moment = clock_now()
    _colleague(actor, officer, "officer in charge")
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        before = (current.risk_level, current.officer_id)
        _bump(current, version, title=title.strip(), summary=summary.strip(), risk_level=risk_level, officer=officer)
        if before[0] != risk_level:
            _log(current, actor, Kind.RISK, moment, f"Risk level changed from {before[0]} to {risk_level}",
                 **{"from": before[0], "to": risk_level})
        if before[1] != officer.pk:
            _log(current, actor, Kind.ASSIGNED, moment, f"Officer in charge is now {officer.display_name}",
                 **{"from": before[1], "to": officer.pk})
        _log(current, actor, Kind.NOTE, moment, "Case details edited")
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], version=current.version)
    return current


def activity_record(*, actor: User, investigation: Investigation, text: str) -> InvestigationLog:
    if not text.strip():
        raise SafeguardError("Enter what was done.")
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        entry = _log(current, actor, Kind.NOTE, clock_now(), text.strip())
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], log=entry.pk)
    return entry


def subject_add(*, actor: User, investigation: Investigation, person: ResolvedPerson, role: str) -> InvestigationSubject:
    moment = clock_now()
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        subject, created = InvestigationSubject.objects.get_or_create(
            investigation=current, person=person, role=role, defaults={"added_at": moment})
        if not created and subject.removed_at:
            subject.removed_at = None
            subject.save(update_fields=["removed_at"])
        _log(current, actor, Kind.SUBJECT, moment, f"Added a {role.replace('_', ' ')}", person=person.pk, role=role)
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], subject=person.pk)
    return subject


# ---- stages, outcome, closure -----------------------------------------------------------------

def stage_change(*, actor: User, investigation: Investigation, version: int, stage: str, note: str = "") -> Investigation:
    """Move the case on. A section 47 enquiry needs a child on the case and the strategy
    discussion's decision written down; outcome and closure have their own services."""
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        if stage == Stage.CLOSED:
            raise SafeguardError("A case is closed by a supervisor's sign-off: record the outcome, then request closure.")
        if stage == Stage.OUTCOME:
            raise SafeguardError("Record the outcome (charged, cautioned, no further action or other) to reach this stage.")
        if stage not in NEXT_STAGES.get(current.stage, ()):
            raise SafeguardError(f"A case at “{current.get_stage_display()}” cannot move to "
                                 f"“{Stage(stage).label}”.")
        if stage == Stage.SECTION_47:
            if not current.subjects.filter(role=InvestigationSubject.Role.CHILD, removed_at__isnull=True).exists():
                raise SafeguardError("A section 47 enquiry is about a child: add the child to the case first.")
            if not note.strip():
                raise SafeguardError("Enter the strategy discussion's decision and reasons for the section 47 enquiry.")
        if stage == Stage.STRATEGY_DISCUSSION and not note.strip():
            raise SafeguardError("Enter who is taking part in the strategy discussion and when it is held.")
        before = current.stage
        _bump(current, version, stage=stage)
        _log(current, actor, Kind.STAGE, clock_now(), note.strip(), **{"from": before, "to": stage})
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], stage=stage)
    return current


def outcome_record(*, actor: User, investigation: Investigation, version: int, outcome: str, rationale: str) -> Investigation:
    if outcome not in Investigation.Outcome.values:
        raise SafeguardError("Choose the outcome: charged, cautioned, no further action or other.")
    if not rationale.strip():
        raise SafeguardError("Enter the reasons for the outcome.")
    moment = clock_now()
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        if current.stage in (Stage.REFERRAL, Stage.OUTCOME):
            raise SafeguardError("Hold the strategy discussion before recording an outcome." if current.stage == Stage.REFERRAL
                                 else "The outcome is already recorded.")
        before = current.stage
        _bump(current, version, stage=Stage.OUTCOME, outcome=outcome, outcome_at=moment, outcome_rationale=rationale.strip())
        _log(current, actor, Kind.OUTCOME, moment, rationale.strip(), outcome=outcome)
        _log(current, actor, Kind.STAGE, moment, "", **{"from": before, "to": Stage.OUTCOME})
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], outcome=outcome)
    return current


def closure_request(*, actor: User, investigation: Investigation, version: int, rationale: str) -> Investigation:
    if not rationale.strip():
        raise SafeguardError("Enter why the case can be closed.")
    moment = clock_now()
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        if current.stage != Stage.OUTCOME:
            raise SafeguardError("Record the outcome before asking to close the case.")
        open_actions = current.actions.filter(done_at__isnull=True).count()
        if open_actions:
            raise SafeguardError(f"{open_actions} action{'s are' if open_actions > 1 else ' is'} not done: complete "
                                 "or close them before asking to close the case.")
        _bump(current, version, closure_rationale=rationale.strip(), closure_requested_at=moment, closure_requested_by=actor)
        _log(current, actor, Kind.CLOSURE_REQUESTED, moment, rationale.strip())
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], closure="requested")
    return current


def closure_sign_off(*, actor: User, investigation: Investigation, version: int) -> Investigation:
    """A supervisor of the case's team (not the person who asked) signs off the closure."""
    moment = clock_now()
    with transaction.atomic():
        current = _locked(investigation)
        if not is_case_supervisor(actor, current):
            raise PermissionDenied("Only a supervisor of the case's team can sign off its closure.")
        if not current.is_open:
            raise SafeguardError("This case is already closed.")
        if current.closure_requested_at is None or not current.closure_rationale:
            raise SafeguardError("Closure has not been requested with a rationale yet.")
        if current.closure_requested_by_id == actor.pk:
            raise SafeguardError("You asked to close this case: another supervisor must sign it off.")
        before = current.stage
        _bump(current, version, stage=Stage.CLOSED, closed_at=moment, closure_signed_off_by=actor)
        _log(current, actor, Kind.CLOSED, moment, current.closure_rationale, **{"from": before, "to": Stage.CLOSED})
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], closure="signed off")
    return current


# ---- actions and supervision -------------------------------------------------------------------

def _check_owner(actor: User, investigation: Investigation, owner: User, due_at: dt.datetime, moment: dt.datetime) -> None:
    _colleague(actor, owner, "owner")
    if due_at <= moment:
        raise SafeguardError("The deadline must be in the future.")


def action_add(*, actor: User, investigation: Investigation, description: str, owner: User, due_at: dt.datetime) -> Action:
    moment = clock_now()
    if not description.strip():
        raise SafeguardError("Enter what must be done.")
    _check_owner(actor, investigation, owner, due_at, moment)
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        action = Action.objects.create(investigation=current, description=description.strip(), owner=owner, due_at=due_at,
                                       created_at=moment, created_by=actor)
        _log(current, actor, Kind.ACTION, moment, description.strip(), action=action.pk, owner=owner.pk,
             due_at=due_at.isoformat())
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], action=action.pk)
    return action


def action_complete(*, actor: User, action: Action, note: str = "") -> Action:
    moment = clock_now()
    with transaction.atomic():
        current = _locked(action.investigation)
        _require_work(actor, current)
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.done_at:
            raise SafeguardError("This action is already done.")
        action.done_at, action.done_by, action.done_note = moment, actor, note.strip()
        action.save(update_fields=["done_at", "done_by", "done_note"])
        _log(current, actor, Kind.ACTION_DONE, moment, note.strip() or action.description, action=action.pk)
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], action=action.pk, done=True)
    return action


def review_record(*, actor: User, investigation: Investigation, scope: str, rationale: str,
                  directions: Sequence[Direction] = ()) -> SupervisoryReview:
    """A supervisory review: what was reviewed, the rationale, and directions with owners and deadlines."""
    moment = clock_now()
    if not scope.strip():
        raise SafeguardError("Enter what you reviewed.")
    if not rationale.strip():
        raise SafeguardError("Enter your rationale.")
    for direction in directions:
        if not direction.description.strip():
            raise SafeguardError("Enter what each direction asks for.")
        _check_owner(actor, investigation, direction.owner, direction.due_at, moment)
    with transaction.atomic():
        current = _locked(investigation)
        if not is_case_supervisor(actor, current):
            raise PermissionDenied("Only a supervisor of the case's team can record a supervisory review.")
        if not current.is_open:
            raise SafeguardError("This case is closed.")
        review = SupervisoryReview.objects.create(investigation=current, reviewer=actor, reviewed_at=moment,
                                                  scope=scope.strip(), rationale=rationale.strip())
        made = Action.objects.bulk_create([
            Action(investigation=current, review=review, description=d.description.strip(), owner=d.owner,
                   due_at=d.due_at, created_at=moment, created_by=actor) for d in directions])
        Investigation.objects.filter(pk=current.pk).update(last_reviewed_at=moment)
        current.last_reviewed_at = moment
        _log(current, actor, Kind.REVIEW, moment, rationale.strip(), review=review.pk, directions=len(made))
        _audit(actor, AuditAction.ALTERATION, "investigation", [current.pk], review=review.pk, directions=len(made))
    return review


# ---- bail ------------------------------------------------------------------------------------

def bail_record(*, actor: User, investigation: Investigation, suspect: ResolvedPerson, kind: str, starts_on: dt.date,
                expires_on: dt.date | None = None, authority: str = "", authorised_by: str = "", conditions: str = "",
                residence_address: str = "", extends: Bail | None = None) -> Bail:
    """Pre-charge bail (with its PACE authority) or release under investigation of a suspect."""
    moment = clock_now()
    if kind == Bail.Kind.PRE_CHARGE_BAIL:
        if expires_on is None:
            raise SafeguardError("Enter the date pre-charge bail expires.")
        if expires_on <= starts_on:
            raise SafeguardError("The expiry date must be after the start date.")
        if not authority:
            raise SafeguardError("Choose who authorised this period of bail.")
        if not authorised_by.strip():
            raise SafeguardError("Enter the name and rank of the officer (or the court) that authorised it.")
    elif expires_on is not None or extends is not None:
        raise SafeguardError("Release under investigation has no expiry date and is not an extension of bail.")
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        if not current.subjects.filter(person=suspect, role=InvestigationSubject.Role.SUSPECT).exists():
            raise SafeguardError("Bail is recorded for a suspect on this case: add them as a suspect first.")
        if extends is not None and (extends.investigation_id != current.pk or extends.suspect_id != suspect.pk):
            raise SafeguardError("An extension must extend a period of bail of the same suspect on this case.")
        if kind == Bail.Kind.PRE_CHARGE_BAIL:
            chain = {b.pk: b for b in current.bails.all()}
            first = pace.first_start(extends, chain) if extends else starts_on
            needed = pace.required_authority(first, expires_on)
            if not pace.authority_allows(authority, first, expires_on):
                raise SafeguardError(f"Bail to {expires_on:%d %B %Y} runs beyond what a "
                                     f"{Bail.Authority(authority).label.split(' (')[0].lower()} may authorise: it needs "
                                     f"{Bail.Authority(needed).label.split(' (')[0].lower()} authority (PACE as amended "
                                     "by the Police, Crime, Sentencing and Courts Act 2022).")
        bail = Bail.objects.create(
            investigation=current, suspect=suspect, kind=kind, starts_on=starts_on, expires_on=expires_on,
            authority=authority, authorised_by=authorised_by.strip(), extends=extends, conditions=conditions.strip(),
            residence_address=residence_address.strip(), recorded_at=moment, recorded_by=actor)
        if extends is not None and extends.ended_on is None:
            Bail.objects.filter(pk=extends.pk).update(ended_on=starts_on, end_reason="extended")
        _log(current, actor, Kind.BAIL, moment, f"{bail.get_kind_display()}" + (f" to {expires_on:%d %B %Y}" if expires_on else ""),
             bail=bail.pk, person=suspect.pk, expires_on=expires_on.isoformat() if expires_on else None)
        _audit(actor, AuditAction.COLLECTION, "bail", [bail.pk], investigation=current.pk)
    return bail


def bail_verify_residence(*, actor: User, bail: Bail) -> Bail:
    moment = clock_now()
    with transaction.atomic():
        current = _locked(bail.investigation)
        _require_work(actor, current)
        problem = pace.address_problem(bail.residence_address)
        if problem:
            raise SafeguardError(f"{problem} Record a specific address before verifying it.")
        Bail.objects.filter(pk=bail.pk).update(residence_verified_at=moment, residence_verified_by=actor)
        bail.refresh_from_db()
        _log(current, actor, Kind.BAIL, moment, "Residence address verified", bail=bail.pk)
        _audit(actor, AuditAction.ALTERATION, "bail", [bail.pk], verified=True)
    return bail


# ---- referrals to partners ------------------------------------------------------------------------

def referral_send(*, actor: User, investigation: Investigation, to_organisation: Organisation, shared: str, reason: str,
                  request: str, response_due_at: dt.datetime, subjects: Sequence[ResolvedPerson] = ()) -> Referral:
    """Send a referral: what is shared, why and what is asked. A disclosure in the audit trail."""
    moment = clock_now()
    agency = AGENCY_OF_KIND.get(to_organisation.kind)
    if agency is None:
        raise SafeguardError("Referrals go to children's social care, health, education or probation.")
    for value, message in ((shared, "Enter what you are sharing."), (reason, "Enter why you are sharing it (the lawful basis and the purpose)."),
                           (request, "Enter what you are asking the partner to do.")):
        if not value.strip():
            raise SafeguardError(message)
    if response_due_at <= moment:
        raise SafeguardError("The date a response is due must be in the future.")
    with transaction.atomic():
        current = _locked(investigation)
        _require_work(actor, current)
        people = {s.person_id for s in current.subjects.filter(removed_at__isnull=True)}
        if any(p.pk not in people for p in subjects):
            raise SafeguardError("Only people on the case can be named in a referral.")
        referral = Referral.objects.create(
            investigation=current, to_organisation=to_organisation, agency=agency, shared=shared.strip(),
            reason=reason.strip(), request=request.strip(), sent_at=moment, sent_by=actor, response_due_at=response_due_at)
        referral.subjects.set(subjects)
        _log(current, actor, Kind.REFERRAL, moment, f"Referral to {to_organisation.name}", referral=referral.pk,
             to=to_organisation.pk)
        audit_log(actor=actor, action=AuditAction.DISCLOSURE, object_type="referral", object_ids=[str(referral.pk)],
                  recipient=to_organisation.name, justification=reason.strip()[:500],
                  details={"investigation": current.pk, "subjects": [p.pk for p in subjects]})
    return referral


def referral_respond(*, actor, referral: Referral, decision: str, response: str, actor_label: str | None = None) -> Referral:
    """A partner answers a referral addressed to their organisation (`actor` is a user, or the
    TokenPrincipal of a partner system with `actor_label`)."""
    moment = clock_now()
    if decision not in Referral.Decision.values:
        raise SafeguardError("Choose a decision: accepted, noted, declined or more information needed.")
    if not response.strip():
        raise SafeguardError("Enter your response: what you have done or will do, and why.")
    with transaction.atomic():
        referral = visible(actor, Referral.objects.all()).filter(pk=referral.pk).first()
        if referral is None or referral.to_organisation_id != actor.organisation_id:
            raise PermissionDenied("This referral is not addressed to your organisation.")
        user = actor if isinstance(actor, User) else None
        # Conditional, so that of two answers arriving together only the first counts.
        if not Referral.objects.filter(pk=referral.pk, responded_at__isnull=True).update(
                decision=decision, response=response.strip(), responded_at=moment, responded_by=user):
            raise AlreadyAnswered("This referral has already been answered.")
        referral.refresh_from_db()
        _log(referral.investigation, user, Kind.REFERRAL_RESPONSE, moment,
             f"{referral.to_organisation.name}: {referral.get_decision_display()}", referral=referral.pk,
             late=moment > referral.response_due_at)
        audit_log(actor=user, actor_label=actor_label, action=AuditAction.COLLECTION, object_type="referral",
                  object_ids=[str(referral.pk)], details={"decision": decision, "late": moment > referral.response_due_at})
    return referral


def escalate_overdue_referrals(*, now: dt.datetime | None = None) -> int:
    """Escalate referrals whose response is overdue and not escalated yet: mark them, write
    them in the case's log, and tell the partner's supervisors (or practitioners) and the
    case's team supervisors by e-mail. Safe to run as often as you like."""
    moment = now or clock_now()
    overdue = list(Referral.objects.filter(responded_at__isnull=True, escalated_at__isnull=True, response_due_at__lt=moment)
                   .select_related("investigation", "to_organisation"))
    escalated = 0
    for referral in overdue:
        with transaction.atomic():
            late = moment - referral.response_due_at
            note = f"No response {late.days} day{'s' if late.days != 1 else ''} after it was due: escalated."
            if not Referral.objects.filter(pk=referral.pk, escalated_at__isnull=True).update(escalated_at=moment,
                                                                                          escalation_note=note):
                continue
            _log(referral.investigation, None, Kind.REFERRAL, moment, f"Referral to {referral.to_organisation.name} "
                 f"escalated: {note}", referral=referral.pk, escalated=True)
            audit_log(actor=None, actor_label="casework clock", action=AuditAction.ALTERATION, object_type="referral",
                      object_ids=[str(referral.pk)], details={"escalated": True})
            transaction.on_commit(lambda r=referral: _notify_escalation(r))
            escalated += 1
    return escalated


def _notify_escalation(referral: Referral) -> None:
    partner = User.objects.filter(organisation=referral.to_organisation_id, is_active=True).exclude(email="")
    leads = partner.filter(groups__name="supervisor") or partner
    police = User.objects.filter(supervised_teams=referral.investigation.team_id, is_active=True).exclude(email="")
    recipients = sorted({*leads.values_list("email", flat=True), *police.values_list("email", flat=True)})
    if recipients:
        # No personal data in e-mail: only the reference and a link.
        send_mail(f"Overdue referral response: {referral.investigation.reference}",
                  f"A referral sent on {referral.sent_at:%d %B %Y} was due an answer by {referral.response_due_at:%d %B %Y}.\n"
                  f"Open it in Safeguard: /cases/referrals/{referral.pk}/\n", None, recipients)
