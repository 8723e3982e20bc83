"""The scope of an incremental evaluation (rules.scope) is cut per rule: what each rule reads about
a subject. A scope too narrow for a rule family leaves a stale alert; one too wide makes the
update as slow as a full evaluation. Each case below changes records that are not the subject of
the alert they alter, so only the read the rule declares can bring that subject into the scope:
the incremental update must equal a full evaluation, and the subject must be reached through
the declared reads (and not with none). The last cases check that shared places do not join
everyone."""

from __future__ import annotations

from safeguard.alerts.services import evaluate
from safeguard.linkage.models import PersonMembership
from safeguard.rules.scope import scope_of
from tests.feed.helpers import load as feed_load

from .builders import (
    T0,
    adult,
    assessment,
    bail,
    breach,
    child,
    episode,
    home,
    incident,
    lives,
    offence,
    order,
    place,
    referral,
    residence,
)
from .conftest import moment
from .test_incremental import _snapshot

H = "2026-06-01T12:00:00+00:00"
LATE = "2026-04-01T10:00:00+00:00"


def resolved(name: str) -> int:
    source, ext_id = name.split("/", 1)
    return PersonMembership.objects.get(record__source__code=source, record__kind="person",
                                        record__ext_id=ext_id).person_id


def _change(sg, base: list[dict], change: list[dict], rule: str, target: str):
    """Load `base` and evaluate in full; load `change`, link, evaluate incrementally; compare with
    a full evaluation. `target` is the subject of the `rule` alert the change alters."""
    sg.load(*base)
    sg.evaluate(H)
    before = _snapshot(H)
    summary = feed_load(*change)
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    persons, locations = sg._link(sg.groups)
    records = set(summary.touched_record_ids)
    evaluate(horizon=moment(H), records=records, persons=persons, locations=locations)
    incremental = _snapshot(H)
    evaluate(horizon=moment(H))
    full = _snapshot(H)
    assert [a for a in full if a[0] == rule] != [a for a in before if a[0] == rule], \
        f"the change altered no {rule} alert: the case proves nothing"
    assert incremental == full
    person = resolved(target)
    assert person not in persons, "linkage reported the subject as changed: the case proves nothing"
    assert person in scope_of(records=records, persons=persons, locations=locations).core
    assert person not in scope_of(records=records, persons=persons, locations=locations, reads=()).core
    return records


# ---- PLACES -----------------------------------------------------------------------------------

def test_places_a_child_moving_in_makes_an_adult_reoffending_there_critical(sg):
    # REOFFEND-REASSESS is keyed by the adult alone; its severity reads the children where he lives.
    base = [adult("X1"), place("L1", uprn="100031234567"), lives("PL-X1", "X1", "L1"),
            order("O1", "X1", "community_order", "2026-01-01", rec=T0),
            offence("O2", "X1", "2026-02-10T12:00:00+00:00", "violence", "charged", role="suspect", rec=T0)]
    change = [child("C1", "2020-05-05", rec=LATE), lives("PL-C1", "C1", "L1", rec=LATE)]
    _change(sg, base, change, "REOFFEND-REASSESS", "police/X1")


# ---- FOUND ------------------------------------------------------------------------------------

def test_found_a_child_found_where_a_sex_offender_lives_reads_his_record(sg):
    # The episode is about the child; the alert needs the offence of the man living where he was found.
    base = [adult("A1"), offence("O1", "A1", "2020-01-01T12:00:00+00:00", "sexual", "convicted", rec=T0),
            place("L9", "3 Mill Lane, Corby", "NN17 1AA"), lives("PL-A1", "A1", "L9"),
            child("C1", "2012-05-05")]
    change = [episode("E1", "C1", "2026-03-20T18:00:00+00:00", ends_at="2026-03-21T02:00:00+00:00", found_location="L9",
                      rec=LATE)]
    _change(sg, base, change, "MISSING-FOUND-WITH-RISK", "police/A1")


# ---- REFS -------------------------------------------------------------------------------------

def test_refs_an_order_becoming_a_sexual_harm_order_makes_a_warning_letter_breach_an_alert(sg):
    # Another agency's record of the offender (not linked): only the breach's reference reaches him.
    base = [adult("Y1"), order("O1", "Y1", "community_order", "2026-01-01", rec=T0),
            adult("Y2", source="health"),
            breach("B1", "Y2", "police/O1", "2026-02-20T10:00:00+00:00", "warning_letter", source="health", rec=T0)]
    change = [order("O1", "Y1", "shpo", "2026-01-01", rec=LATE)]
    _change(sg, base, change, "BREACH-WARNING-ONLY", "health/Y2")


def test_refs_an_assessment_completed_satisfies_the_referral_it_names(sg):
    base = [child("C1", source="csc"),
            referral("R1", "C1", "2026-03-02T10:00:00+00:00", "assessment", rec=T0)]
    change = [child("C9", source="health", rec=LATE),
              assessment("A1", "C9", "csc/R1", "2026-04-01T09:00:00+00:00", source="health",
                         completed_at="2026-04-01T09:00:00+00:00", rec=LATE)]
    _change(sg, base, change, "ASSESSMENT-45", "csc/C1")


def test_refs_a_charge_for_the_offence_a_bail_names_ends_it(sg):
    base = [adult("X1"), adult("X2", source="health"),
            offence("O1", "X2", "2026-01-05T10:00:00+00:00", "violence", "suspected", role="suspect", source="health",
                    rec=T0),
            bail("B1", "X1", "2026-01-10T10:00:00+00:00", expires_on="2026-04-20", offence="health/O1", rec=T0)]
    change = [offence("O1", "X2", "2026-01-05T10:00:00+00:00", "violence", "charged", role="suspect", source="health",
                      rec="2026-04-15T10:00:00+00:00")]
    _change(sg, base, change, "BAIL-EXPIRY", "police/X1")


def test_refs_a_bail_address_becoming_specific_is_read_from_the_place(sg):
    base = [adult("X1"), place("PL2", "Kettering area", None),
            bail("B1", "X1", "2026-03-01T10:00:00+00:00", expires_on="2026-08-30",
                 conditions=[residence("PL2", True, "Kettering area")], rec=T0)]
    change = [place("PL2", "Kettering area", None, uprn="100031999000", rec=LATE)]
    _change(sg, base, change, "BAIL-ADDRESS", "police/X1")


# ---- INCIDENT_HOMES -----------------------------------------------------------------------------

def test_incident_homes_an_incident_at_a_childs_home_raises_encompass_for_the_child(sg):
    base = [*home("C1", "2015-05-05")]
    change = [adult("V1", rec=LATE),
              incident("I1", "2026-03-31T22:00:00+00:00", victim="V1", location="csc/L1", rec=LATE)]
    _change(sg, base, change, "ENCOMPASS", "csc/C1")


# ---- shared places join nobody ------------------------------------------------------------------

def _town(sg, n: int = 12) -> list[dict]:
    """n children, each at home, all attending one school and all victims of incidents in one street."""
    records = [place("S1", "Kettering Primary School, Kettering", "NN16 9AA", source="csc"),
               place("T1", "High Street, Kettering", "NN16 0AA")]
    for i in range(n):
        records += [place(f"H{i}", f"{i + 1} Elm Road, Kettering", "NN16 8EE", source="csc"),
                    child(f"K{i}", "2014-05-05", source="csc"), lives(f"K{i}-H", f"K{i}", f"H{i}", source="csc"),
                    lives(f"K{i}-S", f"K{i}", "S1", role="attends", source="csc"),
                    incident(f"I{i}", "2026-02-01T16:00:00+00:00", victim=f"csc/K{i}", location="T1", rec=T0)]
    sg.load(*records)
    sg.evaluate(H)
    return records


def test_a_change_to_one_pupil_does_not_join_the_school(sg):
    _town(sg)
    summary = feed_load(referral("R1", "K0", "2026-03-05T10:00:00+00:00", rec=LATE),
                        lives("K1-S", "K1", "S1", role="attends", source="csc", rec=LATE))
    persons, locations = sg._link(sg.groups)
    scope = scope_of(records=set(summary.touched_record_ids), persons=persons, locations=locations)
    assert scope.core == {resolved("csc/K0"), resolved("csc/K1")}
    others = {resolved(f"csc/K{i}") for i in range(2, 12)}
    people = set(PersonMembership.objects.filter(record_id__in=scope.person_records).values_list("person_id", flat=True))
    assert not people & others


def test_an_incident_in_a_busy_street_does_not_join_its_other_victims(sg):
    _town(sg)
    summary = feed_load(adult("V9", rec=LATE),
                        incident("I99", "2026-03-31T22:00:00+00:00", victim="V9", location="T1", rec=LATE))
    persons, locations = sg._link(sg.groups)
    scope = scope_of(records=set(summary.touched_record_ids), persons=persons, locations=locations)
    assert scope.core == {resolved("police/V9")}
    assert not scope.core & {resolved(f"csc/K{i}") for i in range(12)}
