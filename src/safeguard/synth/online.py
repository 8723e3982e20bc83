"""Online child sexual abuse referrals (NCMEC via the NCA, CEOP): received untriaged, triaged with
a KIRAT level when the team gets to them (backlogs), then actioned."""

from __future__ import annotations

from . import timeutil as T
from .core import Chunk, Moment, Person
from .sources import contact

YEAR = 365
ACTION_HOURS = {"very_high": 24, "high": 7 * 24, "medium": 14 * 24, "low": 30 * 24}
SERVICES = ["social media", "messaging app", "cloud storage", "video sharing", "online game", "email"]


def run(ch: Chunk) -> None:
    rng = ch.rng
    E = ch.end_day
    years = (E - ch.start_day) / YEAR
    expected = ch.cfg["online_rate"] * ch.target * years
    n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
    adults = [p for p in ch.people if E - p.dob > 19 * YEAR and p.res]
    men = [p for p in adults if p.sex == "male"]
    for _ in range(n):
        pool = men if rng.random() < 0.93 else adults
        if not pool:
            return
        p = pool[rng.randrange(len(pool))]
        day = rng.randint(ch.start_day, E - 1)
        if day - p.dob < 18 * YEAR:
            continue
        referral(ch, p, ch.workday_time(day, 8, 18))


def referral(ch: Chunk, p: Person, at: int) -> None:
    rng = ch.rng
    rec = at
    if rec > ch.end_ts:
        return
    sid = contact(ch, p, "police", rec)
    origin = rng.choices(["ncmec", "nca", "ceop", "other"], [65, 20, 10, 5])[0]
    attrs = {
        "origin": origin,
        "kirat_level": None,
        "reference": f"{origin.upper()}-{rng.randint(10**7, 10**8 - 1)}",
        "service": rng.choice(SERVICES),
        "images_reported": rng.randint(1, 400),
    }
    subjects = [(("police", sid), "suspect")]
    ev = ch.event("police", "online_csea_referral", at, subjects, attrs)
    evid = ch.evidence(ev)
    level = rng.choices(["very_high", "high", "medium", "low"], [10, 25, 40, 25])[0]
    due = T.add_working_days(at, 2)
    ch.add_marker(p, rec, T.add_months(at, 24), "sexual", evid)
    if rng.random() < 0.05:
        tri = at + 600  # sent already triaged: no triage alert
        attrs["kirat_level"] = level
        attrs["triaged_at"] = Moment(at + 300)
        ch.emit(ev, tri)
    else:
        ch.emit(ev, rec)
        x = rng.random()
        if x < 0.7:
            tri = rec + int(rng.uniform(0.05, 0.98) * (due - rec))
        elif x < 0.95:
            tri = T.add_working_days(due, rng.randint(1, 40))  # the backlog
        else:
            tri = None
        if tri is not None and tri <= ch.end_ts:
            attrs["kirat_level"] = level
            attrs["triaged_at"] = Moment(tri - 300)
            ch.emit(ev, tri)
        else:
            tri = None
        ch.situation(
            "ONLINE-TRIAGE",
            [(p, "suspect")],
            [evid],
            rec,
            due,
            f"referral:police/{ev.id}",
            "online referral awaiting triage",
            acted_at=tri,
        )
    if tri is None:
        return
    adue = tri - 300 + ACTION_HOURS[level] * 3600
    x = rng.random()
    act = None
    if x < 0.65:
        act = tri + int(rng.uniform(0.05, 0.95) * (adue - tri))
    elif x < 0.9:
        act = adue + int(rng.uniform(0.2, 1.5) * ACTION_HOURS[level] * 3600)
    if act is not None and act <= ch.end_ts:
        attrs["actioned_at"] = Moment(act - 300)
        ch.emit(ev, act)
    else:
        act = None
    ch.situation(
        "ONLINE-ACTION",
        [(p, "suspect")],
        [evid],
        tri,
        adue,
        f"referral:police/{ev.id}",
        f"online referral triaged {level}",
        acted_at=act,
    )
