"""Criminal histories and the criminal justice events that follow an offence: arrest, bail (some
to vague, unverified addresses), release under investigation, charge, outcome, orders and
licences supervised by probation, breaches and re-offending."""

from __future__ import annotations

from . import timeutil as T
from .core import Chunk, Moment, Person, Ref, pnc_id
from .sources import contact

YEAR = 365
MARKER_CATS = {"violence", "sexual", "domestic_abuse", "child_cruelty", "exploitation", "weapons"}
CATS_MALE = [
    ("violence", 18),
    ("other", 46),
    ("drugs_supply", 8),
    ("domestic_abuse", 7),
    ("weapons", 4),
    ("child_cruelty", 0.7),
    ("exploitation", 0.4),
    ("sexual", 0.8),
]
CATS_FEMALE = [
    ("violence", 18),
    ("other", 62),
    ("drugs_supply", 5),
    ("domestic_abuse", 4),
    ("weapons", 2),
    ("child_cruelty", 2),
]
DESCRIPTIONS = {
    "violence": [
        "Assault occasioning actual bodily harm",
        "Common assault",
        "Wounding with intent",
        "Affray",
        "Assault by beating",
        "Threats to kill",
    ],
    "other": [
        "Theft from a shop",
        "Burglary dwelling",
        "Criminal damage",
        "Theft of a motor vehicle",
        "Handling stolen goods",
        "Fraud by false representation",
        "Public order offence",
    ],
    "drugs_supply": [
        "Possession with intent to supply class A",
        "Supplying class B drugs",
        "Being concerned in supply",
    ],
    "domestic_abuse": [
        "Controlling or coercive behaviour",
        "Assault on partner",
        "Harassment of former partner",
        "Breach of non-molestation order",
    ],
    "weapons": [
        "Possession of a bladed article",
        "Possession of an offensive weapon",
        "Possession of a firearm",
    ],
    "child_cruelty": ["Child cruelty / neglect", "Cruelty to a person under 16"],
    "exploitation": [
        "Arranging or facilitating child sexual exploitation",
        "Modern slavery: child criminal exploitation",
        "Causing a child to engage in sexual activity",
    ],
    "sexual": [
        "Sexual assault",
        "Rape",
        "Sexual communication with a child",
        "Making indecent images of children",
        "Exposure",
    ],
}


def plan_offending(ch: Chunk) -> None:
    """Decide who has a criminal history (before family histories, so new partners can be chosen)."""
    rng = ch.rng
    E = ch.end_day
    cfg = ch.cfg
    for p in ch.people:
        age_end = (E - p.dob) / YEAR
        if age_end < 14:
            continue
        rate = cfg["offender_rate_male"] if p.sex == "male" else cfg["offender_rate_female"]
        if p.hh is not None and p.hh.kind == "single_man":
            rate *= 1.5
        elif p.hh is not None and p.hh.kind == "older_couple":
            rate *= 0.4
        if age_end < 18:
            rate *= 0.35
        if rng.random() >= rate:
            continue
        level = rng.choices([1, 2, 3], [60, 30, 10])[0]
        p.offender = level
        n = {1: rng.randint(1, 2), 2: rng.randint(3, 5), 3: rng.randint(6, 12)}[level]
        lo = max(p.dob + 14 * YEAR, E - 16 * YEAR)
        if lo >= E - 5:
            continue
        table = CATS_MALE if p.sex == "male" else CATS_FEMALE
        plan = []
        for _ in range(n):
            day = rng.randint(lo, E - 2)
            cat = rng.choices([c for c, _ in table], [w for _, w in table])[0]
            plan.append((day, cat))
            if cat in ("violence", "domestic_abuse", "weapons"):
                p.flags.add("violent")
        plan.sort()
        ch.offence_plans[p.tid] = plan
    # a few men run children for drugs or sex (county lines, CSE)
    men = [p for p in ch.people if p.sex == "male" and 18 * YEAR < E - p.dob < 40 * YEAR]
    for p in men:
        if rng.random() < cfg["exploiter_rate"]:
            day = rng.randint(E - 6 * YEAR, E - 30)
            ch.offence_plans.setdefault(p.tid, []).append((day, "exploitation"))
            ch.offence_plans[p.tid].sort()
            p.offender = max(p.offender, 2)
            ch.exploiters.append(p)


def run(ch: Chunk) -> None:
    rng = ch.rng
    for p in list(ch.people):
        for day, cat in ch.offence_plans.get(p.tid, ()):
            at = T.london_time(
                day, rng.choice([rng.randint(0, 6), rng.randint(10, 23)]) * 3600 + rng.randint(0, 3599)
            )
            offence(ch, p, at, cat)


def victimisation(ch: Chunk) -> None:
    """People are victims of crime too, mostly by someone never identified. Victimisation repeats:
    people the police already know (families with offending, domestic abuse) suffer most of it."""
    rng = ch.rng
    base = ch.cfg["victim_rate"] / YEAR
    for p in list(ch.people):
        lo = max(ch.start_day, p.dob + 12 * YEAR)
        rate = base * rng.gammavariate(0.4, 2.5) * (3.0 if "police" in p.recs else 0.12)
        if rate <= 0:
            continue
        t = lo
        while True:
            t += int(rng.expovariate(rate)) + 1
            if t >= ch.end_day:
                break
            victim_only(ch, p, T.london_time(t, rng.randint(0, 86399)))


def victim_only(ch: Chunk, p: Person, at: int) -> None:
    rng = ch.rng
    rec = at + ch.hours(1, 72)
    if rec > ch.end_ts:
        return
    vid = contact(ch, p, "police", rec)
    cat = rng.choices(["other", "violence"], [82, 18])[0]
    subjects = [(("police", vid), "victim")]
    attrs = {"category": cat, "outcome": "suspected", "description": rng.choice(DESCRIPTIONS[cat])}
    ev = ch.event("police", "offence", at, subjects, attrs)
    ch.emit(ev, rec)
    closed = rec + int(rng.uniform(3, 90) * T.DAY)
    if closed <= ch.end_ts:
        ev.attrs["outcome"] = "no_further_action"
        ev.attrs["outcome_at"] = Moment(closed - 3600)
        ev.attrs["description"] += ": no suspect identified"
        ch.emit(ev, closed)


def ensure_pnc(ch: Chunk, p: Person, ts: int) -> None:
    if p.pnc is None:
        p.pnc = pnc_id(T.year_of(T.london_day(ts)), ch.index * 10_000 + ch.pcount + len(ch.people) + ts % 997)
        if ch.rng.random() < 0.6:
            p.cro = f"{ch.rng.randint(10000, 999999)}/{T.year_of(T.london_day(ts)) % 100:02d}{'ABCDEFGHJKLMNPQRSTUVWXYZ'[ts % 24]}"


def _victim_for(ch: Chunk, p: Person, cat: str, day: int) -> Person | None:
    rng = ch.rng
    if cat == "domestic_abuse":
        for other, f, t in p.partner_of:
            if f <= day and (t is None or day <= t + 400):
                return other
        return None
    if cat in ("violence", "sexual", "child_cruelty", "exploitation") and rng.random() < 0.55:
        if cat == "child_cruelty":
            kids = [c for c in p.children if c.is_child_on(day)]
            return rng.choice(kids) if kids else None
        if cat == "exploitation":
            kids = [
                x
                for x in ch.people[rng.randrange(len(ch.people)) :][:300]
                if x.is_child_on(day) and day - x.dob > 12 * YEAR
            ]
            return kids[0] if kids else None
        other = ch.people[rng.randrange(len(ch.people))]
        if other is not p and other.dob < day - 10 * YEAR:
            return other
    return None


def offence(
    ch: Chunk,
    p: Person,
    at: int,
    cat: str,
    victim: Person | None = None,
    location=None,
    via_incident: bool = False,
    path: str | None = None,
    not_before: int = 0,
) -> dict | None:
    """An offence and what follows it. Returns a summary, or None if it lies wholly after the end."""
    rng = ch.rng
    if at > ch.end_ts - 3600:
        return None
    day = T.london_day(at)
    if victim is None and not via_incident:
        victim = _victim_for(ch, p, cat, day)
    old = at < ch.start_ts - YEAR * T.DAY
    rec1 = ch.clamp(max(at + ch.hours(0.5, 30), not_before))
    # outcome path
    x = rng.random()
    arrested = rng.random() < (0.7 if cat in MARKER_CATS else 0.5)
    if path is not None:
        pass
    elif x < 0.09:
        path = "cautioned"
    elif x < 0.38:
        path = "no_further_action"
    elif x < 0.42:
        path = "acquitted"
    else:
        path = "convicted"
    charge_at = outcome_at = None
    bail_plan = None
    if path in ("convicted", "acquitted"):
        if arrested and rng.random() < 0.35:
            bail_plan = "pre_charge"
            charge_at = at + int(rng.uniform(10, 170) * T.DAY)
        else:
            charge_at = at + int(rng.uniform(0.3, 40) * T.DAY)
        charge_at = max(charge_at, rec1 + 7200)
        outcome_at = ch.workday_time(T.london_day(charge_at + int(rng.uniform(20, 240) * T.DAY)), 10, 16)
    elif path == "cautioned":
        outcome_at = ch.workday_time(T.london_day(at + int(rng.uniform(1, 40) * T.DAY)), 9, 20)
    else:
        if arrested and rng.random() < 0.35:
            bail_plan = "pre_charge"
        outcome_at = ch.workday_time(T.london_day(at + int(rng.uniform(5, 200) * T.DAY)), 8, 18)
    outcome_at = max(outcome_at, (charge_at or rec1) + 7200)
    pid = contact(ch, p, "police", rec1, dup=0.01)
    if arrested or path in ("convicted", "acquitted", "cautioned"):
        ensure_pnc(ch, p, rec1)
    subjects = [(("police", pid), "suspect")]
    if victim is not None:
        subjects.append((("police", contact(ch, victim, "police", rec1)), "victim"))
    attrs = {"category": cat, "outcome": "suspected", "description": rng.choice(DESCRIPTIONS[cat])}
    if victim is not None and victim.is_child_on(day):
        attrs["victim_is_child"] = True
    elif victim is not None and rng.random() < 0.5:
        attrs["victim_is_child"] = False
    ev = ch.event("police", "offence", at, subjects, attrs, location=location)
    evid = ch.evidence(ev)
    marker = cat in MARKER_CATS
    mkind = "sexual" if cat == "sexual" else ("exploitation" if cat == "exploitation" else "violence")
    versions: list[tuple[int, str]] = []  # (recorded, outcome)
    if old:
        # settled long before the window: the force's history holds only the final state
        final_ts = ch.clamp(max(outcome_at, rec1))
        ev.attrs["outcome"] = path
        ev.attrs["outcome_at"] = Moment(outcome_at)
        ev.subjects[0] = (ev.subjects[0][0], "offender" if path in ("convicted", "cautioned") else "suspect")
        ch.emit(ev, final_ts)
        versions.append((final_ts, path))
    else:
        ch.emit(ev, rec1)
        versions.append((rec1, "suspected"))
        if charge_at is not None and charge_at + 3600 <= ch.end_ts:
            ev.attrs["outcome"] = "charged"
            ev.attrs["outcome_at"] = Moment(charge_at)
            ch.emit(ev, charge_at + 3600)
            versions.append((charge_at + 3600, "charged"))
        if outcome_at is not None and outcome_at + 7200 <= ch.end_ts:
            ev.attrs["outcome"] = path
            ev.attrs["outcome_at"] = Moment(outcome_at)
            if path in ("convicted", "cautioned"):
                ev.subjects[0] = (ev.subjects[0][0], "offender")
            ch.emit(ev, outcome_at + 7200)
            versions.append((outcome_at + 7200, path))
    # risk marker intervals from the versions
    if marker:
        for i, (vts, outcome) in enumerate(versions):
            nxt = versions[i + 1][0] if i + 1 < len(versions) else T.INF
            if outcome in ("convicted", "cautioned"):
                ch.add_marker(p, vts, T.INF, mkind, evid)
                break
            if outcome in ("suspected", "charged"):
                ch.add_marker(p, vts, min(nxt, T.add_months(at, 24)), mkind, evid)
    ch.cj_triggers.setdefault(p.tid, []).append((at, versions[0][0], evid))
    summary = {"event": ev, "path": path, "at": at, "charge_at": charge_at, "outcome_at": outcome_at}
    if old:
        if path == "convicted":
            sentence(ch, p, cat, outcome_at, ev)
        return summary
    if arrested:
        arr_at = at + ch.hours(0.2, 20)
        arr_rec = max(arr_at + 1800, rec1 + 60)
        if arr_rec <= ch.end_ts:
            a = ch.event(
                "police",
                "arrest",
                arr_at,
                [(("police", pid), "arrested")],
                {"offence": Ref(("police", ev.id))},
            )
            ch.emit(a, arr_rec)
        if bail_plan == "pre_charge":
            pre_charge_bail(
                ch,
                p,
                pid,
                ev,
                max(arr_at + ch.hours(3, 20), rec1 + 120),
                victim,
                charge_at,
                outcome_at if path == "no_further_action" else None,
            )
        elif path == "no_further_action" and rng.random() < 0.4:
            rui_at = max(arr_at + ch.hours(3, 20), rec1 + 120)
            if rui_at + 3600 <= ch.end_ts:
                r = ch.event(
                    "police",
                    "released_under_investigation",
                    rui_at,
                    [(("police", pid), "suspect")],
                    {"offence": Ref(("police", ev.id))},
                )
                ch.emit(r, rui_at + 3600)
    if charge_at is not None and path in ("convicted", "acquitted") and rng.random() < 0.45:
        court_bail(ch, p, pid, ev, charge_at + ch.hours(1, 6), victim, outcome_at)
    if path == "convicted" and outcome_at + 7200 <= ch.end_ts:
        sentence(ch, p, cat, outcome_at, ev, victim)
    return summary


def _residence_condition(ch: Chunk, p: Person, ts: int, rec: bool = True):
    """A bail residence condition: usually the person's verified home, sometimes a vague area."""
    rng = ch.rng
    day = T.london_day(ts)
    home = p.place_on(day)
    x = rng.random()
    if home is None or x < ch.cfg["bail_vague_share"]:
        town = home.town if home is not None else 0
        place = ch.vague_place("police", town)
        lid = ch.loc("police", place, ts)
        return (
            {
                "condition": "residence",
                "location": Ref(("police", lid)),
                "address_text": place.name,
                "verified": False,
            },
            place,
            False,
        )
    if x < ch.cfg["bail_vague_share"] + ch.cfg["bail_unverified_share"]:
        lid = ch.loc("police", home, ts)
        cond = {"condition": "residence", "location": Ref(("police", lid))}
        if rng.random() < 0.5:
            cond["verified"] = False
        return cond, home, False
    lid = ch.checked_loc("police", home, ts)
    return {"condition": "residence", "location": Ref(("police", lid)), "verified": True}, home, True


def _bail_index(ch: Chunk, p: Person, bail_ev, at: int, expires_day: int, rec: int, place, ok: bool) -> None:
    ch.active_cj.setdefault(p.tid, []).append((at, T.end_of_day(expires_day), rec, ch.evidence(bail_ev)))
    if place is not None and place.kind != "vague":
        from .core import LinkRec

        lr = LinkRec(p.tid, place.pid, "bail_condition", "police", bail_ev.id, None, expires_day, rec)
        lr.from_day = T.london_day(at)
        ch.links_by_tid.setdefault(p.tid, []).append(lr)
        ch.links_by_pid.setdefault(place.pid, []).append(lr)


def pre_charge_bail(
    ch: Chunk,
    p: Person,
    pid: str,
    off_ev,
    at: int,
    victim: Person | None,
    charge_at: int | None,
    nfa_at: int | None,
    depth: int = 0,
) -> None:
    rng = ch.rng
    rec = at + ch.hours(0.1, 3)
    if rec > ch.end_ts:
        return
    day = T.london_day(at)
    expires = day + 91 if depth == 0 else day + rng.choice([91, 91, 182])
    cond, place, ok = _residence_condition(ch, p, at)
    conds = [cond]
    if victim is not None:
        conds.append({"condition": "non_contact", "person": Ref(("police", ch.know(victim, "police", rec)))})
    if rng.random() < 0.15:
        conds.append({"condition": "curfew", "address_text": "21:00 to 07:00 at bail address"})
    attrs = {
        "bail_kind": "pre_charge",
        "offence": Ref(("police", off_ev.id)),
        "expires_on": T.fmt_day(expires),
        "conditions": conds,
    }
    b = ch.event("police", "bail", at, [(("police", pid), "bailed")], attrs)
    ch.emit(b, rec)
    _bail_index(ch, p, b, at, expires, rec, place, ok)
    charge_rec = charge_at + 3600 if charge_at is not None and charge_at + 3600 <= ch.end_ts else None
    entry = {
        "ev": b,
        "at": at,
        "rec": rec,
        "expires": expires,
        "kind": "pre_charge",
        "ok": [rec] if ok else [],
        "charge_rec": charge_rec,
        "person": p,
    }
    ch.bails.setdefault(p.tid, []).append(entry)
    # a vague or unverified residence is put right (a new version), later, or never
    if not ok:
        due = T.add_working_days(rec, 1)
        x = rng.random()
        fixed_at = None
        if x < 0.45:
            fixed_at = rec + int(rng.uniform(0.1, 0.9) * (due - rec))
        elif x < 0.7:
            fixed_at = due + int(rng.uniform(0.2, 15) * T.DAY)
        if fixed_at is not None and fixed_at <= ch.end_ts and fixed_at < T.end_of_day(expires):
            home = p.place_on(T.london_day(fixed_at))
            if home is not None:
                lid = ch.checked_loc("police", home, fixed_at)
                b.attrs["conditions"] = [
                    {"condition": "residence", "location": Ref(("police", lid)), "verified": True},
                    *conds[1:],
                ]
                ch.emit(b, fixed_at)
                entry["ok"].append(fixed_at)
    # what ends this bail: a charge, an extension, or nothing (released, no further action)
    end_of_exp = T.end_of_day(expires)
    if not (charge_at is not None and charge_at < end_of_exp):
        if charge_at is not None or (nfa_at is not None and nfa_at > end_of_exp) or rng.random() < 0.35:
            # extended: a new bail a few days before it runs out
            new_at = T.london_midnight(expires) - int(rng.uniform(0.5, 10) * T.DAY) + 10 * 3600
            if rng.random() < 0.2:
                new_at = end_of_exp + int(rng.uniform(1, 10) * T.DAY)  # late: the bail lapsed first
            if new_at + 3 * 3600 <= ch.end_ts and depth < 3 and new_at > at:
                pre_charge_bail(ch, p, pid, off_ev, new_at, victim, charge_at, nfa_at, depth + 1)


def court_bail(ch: Chunk, p: Person, pid: str, off_ev, at: int, victim: Person | None, until: int) -> None:
    rec = at + 1800
    if rec > ch.end_ts:
        return
    home = p.place_on(T.london_day(at))
    if home is not None:
        lid = ch.checked_loc("police", home, rec)
        conds = [{"condition": "residence", "location": Ref(("police", lid)), "verified": True}]
        place, ok = home, True
    else:
        cond, place, ok = _residence_condition(ch, p, at)
        conds = [cond]
    if victim is not None:
        conds.append({"condition": "non_contact", "person": Ref(("police", ch.know(victim, "police", rec)))})
    expires = T.london_day(until)
    b = ch.event(
        "police",
        "bail",
        at,
        [(("police", pid), "bailed")],
        {
            "bail_kind": "post_charge",
            "offence": Ref(("police", off_ev.id)),
            "expires_on": T.fmt_day(expires),
            "conditions": conds,
        },
    )
    ch.emit(b, rec)
    _bail_index(ch, p, b, at, expires, rec, place, ok)
    ch.bails.setdefault(p.tid, []).append(
        {
            "ev": b,
            "at": at,
            "rec": rec,
            "expires": expires,
            "kind": "post_charge",
            "ok": [rec] if ok else [],
            "charge_rec": None,
            "person": p,
        }
    )


def sentence(ch: Chunk, p: Person, cat: str, at: int, off_ev, victim: Person | None = None) -> None:
    rng = ch.rng
    serious = cat in ("violence", "domestic_abuse", "weapons", "sexual", "exploitation", "child_cruelty")
    x = rng.random()
    start_day = T.london_day(at)
    if serious:
        kind = (
            "custody"
            if x < 0.25
            else "community_order"
            if x < 0.62
            else "suspended_sentence"
            if x < 0.78
            else None
        )
    else:
        kind = (
            "community_order"
            if x < 0.2
            else "suspended_sentence"
            if x < 0.26
            else "custody"
            if x < 0.31
            else None
        )
    if kind == "custody":
        months = rng.choice([6, 9, 12, 18, 24, 36, 48])
        release = T.add_months_day(start_day, months // 2)
        order(
            ch,
            p,
            "probation",
            "licence",
            release,
            T.add_months_day(start_day, months),
            ["reside at approved address", "no contact with victim"],
            off_ev,
        )
    elif kind is not None:
        months = rng.choice([12, 12, 18, 24])
        reqs = rng.sample(
            [
                "unpaid work 120 hours",
                "rehabilitation activity 20 days",
                "building better relationships programme",
                "alcohol treatment",
                "curfew with electronic monitoring",
                "mental health treatment",
            ],
            2,
        )
        order(ch, p, "probation", kind, start_day, T.add_months_day(start_day, months), reqs, off_ev)
    if cat in ("domestic_abuse", "violence") and victim is not None and rng.random() < 0.3:
        order(
            ch,
            p,
            "police",
            "restraining",
            start_day,
            T.add_months_day(start_day, rng.choice([12, 24, 36])),
            ["no contact with the victim"],
            off_ev,
        )


def order(
    ch: Chunk,
    p: Person,
    source: str,
    otype: str,
    starts: int,
    ends: int,
    reqs: list[str],
    off_ev=None,
    at: int | None = None,
) -> object | None:
    rng = ch.rng
    at = at if at is not None else T.london_time(starts, rng.randint(10 * 3600, 16 * 3600))
    rec = at + ch.hours(1, 30)
    if rec > ch.end_ts:
        return None
    pid = contact(ch, p, source, rec) if source != "police" else ch.know(p, "police", rec)
    o = ch.event(
        source,
        "order",
        at,
        [((source, pid), "subject")],
        {
            "order_type": otype,
            "starts_on": T.fmt_day(starts),
            "ends_on": T.fmt_day(ends),
            "requirements": reqs,
        },
    )
    ch.emit(o, rec)
    ch.active_cj.setdefault(p.tid, []).append(
        (T.london_midnight(starts), T.end_of_day(ends), rec, ch.evidence(o))
    )
    if otype in ("shpo", "sro", "dvpo", "non_molestation", "restraining"):
        kind = "sexual" if otype in ("shpo", "sro") else "violence"
        ch.add_marker(p, max(rec, T.london_midnight(starts)), T.end_of_day(ends), kind, ch.evidence(o))
    if source == "probation":
        supervise(ch, p, o, starts, ends, otype)
    return o


def risk_assessment(
    ch: Chunk,
    p: Person,
    source: str,
    at: int,
    tool: str,
    level: str | None = None,
    about_child: Person | None = None,
    rec: int | None = None,
) -> None:
    rng = ch.rng
    rec = rec if rec is not None else at + ch.hours(0.2, 6)
    if rec > ch.end_ts:
        return
    at = min(at, rec - 300)
    pid = ch.know(p, source, rec)
    level = level or rng.choices(["low", "standard", "medium", "high", "very_high"], [25, 20, 35, 17, 3])[0]
    attrs = {"tool": tool, "level": level}
    if tool in ("dash", "arms", "rm2000"):
        attrs["score"] = rng.randint(0, 27) if tool == "dash" else rng.randint(0, 10)
    if about_child is not None:
        attrs["about_child"] = Ref((source, ch.know(about_child, source, rec)))
    ev = ch.event(source, "risk_assessment", at, [((source, pid), "assessed")], attrs)
    ch.emit(ev, rec)
    ch.ra_times.setdefault(p.tid, []).append(rec)


def supervise(ch: Chunk, p: Person, o, starts: int, ends: int, otype: str) -> None:
    """Probation supervision: OASys assessments every six months, breaches of community orders."""
    rng = ch.rng
    ch.probation_known.add(p.tid)
    t = T.add_working_days(T.london_time(starts, 11 * 3600), rng.randint(3, 15))
    end_ts = T.end_of_day(ends)
    while t < end_ts and t <= ch.end_ts - 3600:
        risk_assessment(ch, p, "probation", t, "oasys")
        t = T.add_months(t, 6) + rng.randint(-10, 10) * T.DAY
    if (
        otype not in ("community_order", "suspended_sentence", "licence")
        or rng.random() >= ch.cfg["breach_rate"]
    ):
        return
    pid = ch.know(p, "probation", T.london_midnight(starts))
    span = ends - starts
    first = T.london_time(starts + rng.randint(20, max(21, span - 30)), rng.randint(9 * 3600, 17 * 3600))
    if first > ch.end_ts - T.DAY:
        return
    b1 = _breach(
        ch,
        pid,
        o,
        first,
        rng.choice(["warning_letter", "warning_letter", "investigated", "returned_to_court"]),
    )
    ch.cj_triggers.setdefault(p.tid, []).append((first, b1.versions[0], ch.evidence(b1)))
    if otype == "community_order" and rng.random() < 0.45:
        second = first + int(rng.uniform(14, 330) * T.DAY)
        if second < end_ts and second < ch.end_ts - T.DAY:
            b2 = _breach(ch, pid, o, second, "warning_letter")
            rec = b2.versions[0]
            ch.cj_triggers.setdefault(p.tid, []).append((second, rec, ch.evidence(b2)))
            due = T.add_working_days(rec, 10)
            acted = None
            x = rng.random()
            if x < 0.6:
                acted = rec + int(rng.uniform(0.1, 0.95) * (due - rec))
            elif x < 0.8:
                acted = due + int(rng.uniform(1, 40) * T.DAY)
            if acted is not None and acted <= ch.end_ts:
                b2.attrs["outcome"] = "returned_to_court"
                ch.emit(b2, acted)
            else:
                acted = None
            ch.situation(
                "ORDER-BREACH-2",
                [(p, "person")],
                [ch.evidence(b2), ch.evidence(b1)],
                rec,
                due,
                f"order:probation/{o.id}",
                "second breach of a community order within 12 months",
                acted_at=acted,
            )


def _breach(ch: Chunk, pid: str, o, at: int, outcome: str):
    src = o.source
    b = ch.event(
        src,
        "breach",
        at,
        [((src, pid), "subject")],
        {
            "order": Ref((src, o.id)),
            "outcome": outcome,
            "description": ch.rng.choice(
                [
                    "failed to attend appointment",
                    "missed unpaid work",
                    "curfew violation",
                    "failed to notify change of address",
                    "contact with victim",
                ]
            ),
        },
    )
    ch.emit(b, ch.clamp(at + ch.hours(1, 48)))
    return b
