"""Domestic abuse (incidents, Operation Encompass, MARAC) and children's social care (referrals,
assessments, strategy discussions, section 47 enquiries, conferences, plans, statutory visits,
police protection)."""

from __future__ import annotations

from . import crime
from . import timeutil as T
from .core import Chunk, Moment, Person, Ref
from .sources import contact, school_on, track

YEAR = 365


# --- domestic abuse -----------------------------------------------------------------------


def domestic_abuse(ch: Chunk) -> None:
    rng = ch.rng
    cfg = ch.cfg
    E = ch.end_day
    for man in list(ch.people):
        if man.sex != "male":
            continue
        for woman, f, t in man.partner_of:
            rate = cfg["da_rate_couple"]
            if "violent" in man.flags:
                rate = cfg["da_rate_violent"]
            if rng.random() >= rate:
                continue
            n = 1
            while n < 10 and rng.random() < 0.55:
                n += 1
            lo = max(f, ch.start_day)
            hi = min(E - 1, (t + 250) if t is not None else E - 1)
            if hi <= lo:
                continue
            for day in sorted(rng.randint(lo, hi) for _ in range(n)):
                if rng.random() < 0.85:
                    incident(ch, man, woman, day)
                else:
                    incident(ch, woman, man, day)


def incident(ch: Chunk, perp: Person, victim: Person, day: int) -> None:
    rng = ch.rng
    place = victim.place_on(day) or perp.place_on(day)
    if place is None:
        return
    at = T.london_time(
        day,
        rng.choice([rng.randint(17, 23), rng.randint(0, 3), rng.randint(8, 16)]) * 3600
        + rng.randint(0, 3599),
    )
    rec = at + ch.hours(0.5, 6)
    if rec > ch.end_ts:
        return
    vid = contact(ch, victim, "police", rec)
    pid = contact(ch, perp, "police", rec)
    lid = ch.loc("police", place, rec)
    kids = []
    seen = set()
    for group in (victim.children, perp.children, victim.hh.members if victim.hh else []):
        for c in group:
            if c.tid not in seen and c.is_child_on(day) and c.place_on(day) is place:
                seen.add(c.tid)
                kids.append(c)
    subjects = [(("police", vid), "victim"), (("police", pid), "perpetrator")]
    present = []
    for c in kids:
        if rng.random() < 0.85:
            subjects.append((("police", contact(ch, c, "police", rec, address=False)), "child_present"))
            present.append(c)
    history = ch.victim_incidents.setdefault(victim.tid, [])
    history.append(at)
    recent = [x for x in history if x <= at and x > T.add_months(at, -12)]
    x = rng.random() + (0.15 if len(recent) > 1 else 0) + (0.1 if "violent" in perp.flags else 0)
    risk = "high" if x > 0.88 else "medium" if x > 0.6 else "standard"
    score = {"standard": rng.randint(0, 9), "medium": rng.randint(10, 13), "high": rng.randint(14, 27)}[risk]
    attrs = {"risk_level": risk}
    if rng.random() < 0.9:
        attrs["dash_score"] = score
    ev = ch.event("police", "domestic_abuse_incident", at, subjects, attrs, location=("police", lid))
    ch.emit(ev, rec)
    evid = ch.evidence(ev)
    ch.da_incidents.append(
        {"ev": ev, "pid": place.pid, "at": at, "rec": rec, "present": [c.tid for c in present], "kids": kids}
    )
    ch.add_marker(perp, rec, T.add_months(at, 24), "violence", evid)
    crime.risk_assessment(
        ch,
        victim,
        "police",
        at + 3600,
        "dash",
        level={"standard": "standard", "medium": "medium", "high": "high"}[risk],
        rec=rec,
    )
    if rng.random() < 0.55:
        crime.offence(
            ch,
            perp,
            at,
            "domestic_abuse",
            victim=victim,
            location=("police", lid),
            via_incident=True,
            not_before=rec,
        )
    # Operation Encompass: the school hears before the next school day starts
    due = T.next_working_day_at(at, 9)
    for c in kids:
        sch = school_on(ch, c, T.london_day(due))
        x = rng.random()
        if sch is None and rng.random() < 0.25:
            continue  # no school or nursery, and no early-years setting told
        if x < 0.85:
            nat = max(rec + 60, due - int(rng.uniform(0.1, 14) * 3600))
        elif x < 0.95:
            nat = due + int(rng.uniform(2, 72) * 3600)
        else:
            continue
        if nat > ch.end_ts:
            continue
        cref = (ch.rec_of(c, "education") if sch else None) or ("police", ch.know(c, "police", rec))
        enc = ch.event(
            "police",
            "encompass_notification",
            nat,
            [(cref, "child")],
            {"incident": Ref(("police", ev.id))},
            location=("education", sch) if sch else None,
        )
        ch.emit(enc, nat)
        ch.encompass[(ev.id, c.tid)] = nat
    # MARAC for high risk or a third incident in twelve months
    if risk == "high" or score >= 14 and "dash_score" in attrs or len(recent) >= 3:
        mdue = T.add_working_days(rec, 2)
        x = rng.random()
        mat = None
        if x < 0.8:
            mat = rec + int(rng.uniform(0.05, 0.95) * (mdue - rec))
        elif x < 0.92:
            mat = mdue + int(rng.uniform(0.2, 10) * T.DAY)
        if mat is not None and mat <= ch.end_ts:
            m = ch.event(
                "police",
                "marac_referral",
                mat,
                [(("police", vid), "victim")],
                {"incident": Ref(("police", ev.id))},
            )
            ch.emit(m, mat)
        else:
            mat = None
        ch.situation(
            "DA-MARAC",
            [(victim, "victim")],
            [evid],
            rec,
            mdue,
            f"incident:police/{ev.id}",
            "high-risk or repeat domestic abuse",
            acted_at=mat,
        )
    # referral of the children to social care
    p_ref = {"high": 0.95, "medium": 0.85, "standard": 0.4}[risk]
    for c in kids:
        if rng.random() < p_ref:
            ch.referral_queue.append(
                {
                    "child": c,
                    "at": rec + ch.hours(2, 30),
                    "from": "police",
                    "concern": "domestic_abuse",
                    "subject": perp if rng.random() < 0.4 else None,
                }
            )
    if rng.random() < 0.05:
        crime.order(
            ch,
            perp,
            "police",
            "non_molestation",
            day + rng.randint(5, 40),
            day + rng.randint(200, 400),
            ["not to contact the applicant", "not to attend the applicant's home"],
        )
    elif rng.random() < 0.02:
        crime.order(ch, perp, "police", "dvpo", day + 1, day + 28, ["not to attend the victim's home"])


# --- children's social care ---------------------------------------------------------------

CONCERNS = [
    ("neglect", 30),
    ("emotional", 18),
    ("physical", 14),
    ("sexual", 6),
    ("exploitation", 5),
    ("domestic_abuse", 12),
    ("missing", 3),
    ("other", 12),
]


def social_care(ch: Chunk, households) -> None:
    rng = ch.rng
    cfg = ch.cfg
    E = ch.end_day
    agencies = [("education", 35), ("health", 25), ("police", 15), ("other", 25)]
    for h in households:
        for c in h.children:
            lo = max(ch.start_day, c.dob)
            hi = min(E - 1, T.add_months_day(c.dob, 216) - 1)
            if hi <= lo:
                continue
            t = lo
            rate = cfg["referral_rate"] * (3 if any(p.offender for p in c.parents) else 1)
            while True:
                t += int(rng.expovariate(rate / YEAR)) + 1
                if t >= hi:
                    break
                frm = rng.choices([a for a, _ in agencies], [w for _, w in agencies])[0]
                concern = rng.choices([a for a, _ in CONCERNS], [w for _, w in CONCERNS])[0]
                ch.referral_queue.append(
                    {"child": c, "at": ch.workday_time(t), "from": frm, "concern": concern, "subject": None}
                )
    for c, day, _place in ch.care:
        ts = ch.workday_time(max(day, ch.start_day - 700))
        if ts <= ch.end_ts:
            contact(ch, c, "csc", ts)
            track(ch, c, "csc", ts, 0.9, (0, 10))
    police_protection(ch, households)
    ch.referral_queue.sort(key=lambda r: (r["at"], r["child"].tid))
    for r in ch.referral_queue:
        referral(ch, r)


def _decide(
    ch: Chunk, rec: int, due: int, p_in: float, p_late: float, late_days: tuple[float, float]
) -> int | None:
    rng = ch.rng
    x = rng.random()
    if x < p_in:
        return rec + int(rng.uniform(0.05, 0.98) * max(60, due - rec))
    if x < p_in + p_late:
        return due + int(rng.uniform(*late_days) * T.DAY)
    return None


def referral(ch: Chunk, r: dict) -> None:
    rng = ch.rng
    c: Person = r["child"]
    at = r["at"]
    if at > ch.end_ts or not c.is_child_on(T.london_day(at)):
        return
    cid = contact(ch, c, "csc", at)
    for par in c.parents:
        if par.place_on(T.london_day(at)) is c.place_on(T.london_day(at)) and rng.random() < 0.85:
            contact(ch, par, "csc", at)
            key = (par.tid, c.tid)
            if key not in ch.related:
                ch.related.add(key)
                ch.relate("csc", par, c, "parent_of", at)
    subjects = [(("csc", cid), "child")]
    if r.get("subject") is not None:
        subjects.append((("csc", contact(ch, r["subject"], "csc", at)), "subject"))
    concern = r["concern"]
    attrs = {"from_agency": r["from"], "to_agency": "csc", "concern": concern, "decision": "none_yet"}
    ev = ch.event("csc", "referral", at, subjects, attrs)
    weights = [7, 25, 52, 16] if concern not in ("sexual", "physical", "exploitation") else [3, 10, 45, 42]
    decision = rng.choices(["no_further_action", "early_help", "assessment", "strategy_discussion"], weights)[
        0
    ]
    due = T.add_working_days(at, 1)
    evid = ch.evidence(ev)
    if rng.random() < 0.08:
        dec_at = at + 1800  # sent already decided: no alert
        ev.attrs["decision"] = decision
        ev.attrs["decided_at"] = Moment(at + 1200)
        ch.emit(ev, dec_at)
    else:
        ch.emit(ev, at)
        dec_at = _decide(ch, at, due, 0.85, 0.12, (0.1, 6))
        if dec_at is not None and dec_at <= ch.end_ts:
            ev.attrs["decision"] = decision
            ev.attrs["decided_at"] = Moment(dec_at)
            ch.emit(ev, dec_at)
        else:
            dec_at = None
        ch.situation(
            "REFERRAL-DECISION",
            [(c, "child")],
            [evid],
            at,
            due,
            f"referral:csc/{ev.id}",
            "referral awaiting a decision",
            acted_at=dec_at,
        )
    if dec_at is None:
        return
    if decision == "assessment":
        a_due = T.add_working_days(at, 45)
        a = ch.event(
            "csc", "assessment", dec_at + 3600, [(("csc", cid), "child")], {"referral": Ref(("csc", ev.id))}
        )
        if dec_at + 3600 > ch.end_ts:
            return
        ch.emit(a, dec_at + 3600)
        done = _decide(ch, dec_at + 3600, a_due, 0.82, 0.15, (1, 60))
        if done is not None and done <= ch.end_ts:
            a.attrs["completed_at"] = Moment(done - 1800)
            ch.emit(a, done)
        else:
            done = None
        ch.situation(
            "ASSESSMENT-45",
            [(c, "child")],
            [evid],
            dec_at,
            a_due,
            f"referral:csc/{ev.id}",
            "assessment within 45 working days",
            acted_at=done,
        )
        if done is not None and rng.random() < 0.1:
            strategy(ch, c, cid, done + T.DAY, concern)
    elif decision == "strategy_discussion":
        strategy(ch, c, cid, dec_at, concern)


def strategy(
    ch: Chunk, c: Person, cid: str, after: int, concern: str, outcome: str | None = None
) -> int | None:
    rng = ch.rng
    sd_at = T.add_working_days(after, rng.randint(0, 2)) + rng.randint(0, 3 * 3600)
    rec = sd_at + ch.hours(0.5, 4)
    if rec > ch.end_ts:
        return None
    outcome = outcome or rng.choices(["s47", "no_s47", "assess_further"], [60, 30, 10])[0]
    sd = ch.event("csc", "strategy_discussion", sd_at, [(("csc", cid), "child")], {"outcome": outcome})
    ch.emit(sd, rec)
    ch.sd_times.setdefault(c.tid, []).append(rec)
    if outcome != "s47":
        return rec
    due = T.add_working_days(sd_at, 15)
    s47_at = sd_at + 7200
    s = ch.event("csc", "s47_enquiry", s47_at, [(("csc", cid), "child")], {})
    if s47_at + 3600 <= ch.end_ts:
        ch.emit(s, s47_at + 3600)
    s_out = rng.choices(["conference", "substantiated", "not_substantiated"], [50, 22, 28])[0]
    comp = T.add_working_days(s47_at, rng.randint(4, 14))
    icpc_rec = None
    if comp + 3600 <= ch.end_ts and s47_at + 3600 <= ch.end_ts:
        s.attrs["completed_at"] = Moment(comp)
        s.attrs["outcome"] = s_out
        ch.emit(s, comp + 3600)
        if s_out == "conference":
            if rng.random() < 0.78:
                icpc_at = T.add_working_days(sd_at, rng.randint(6, 15)) - rng.randint(0, 4) * 3600
            else:
                icpc_at = T.add_working_days(sd_at, rng.randint(16, 30))
            icpc_at = max(icpc_at, comp + 3600)
            icpc_rec = icpc_at + ch.hours(1, 6)
            if icpc_rec <= ch.end_ts:
                plan = rng.random() < 0.78
                conf = ch.event(
                    "csc",
                    "child_protection_conference",
                    icpc_at,
                    [(("csc", cid), "child")],
                    {"conference_type": "initial", "outcome": "plan" if plan else "no_plan"},
                )
                ch.emit(conf, icpc_rec)
                if plan:
                    cp_plan(ch, c, cid, icpc_at, concern)
            else:
                icpc_rec = None
    ch.situation(
        "ICPC-15",
        [(c, "child")],
        [ch.evidence(sd)],
        rec,
        due,
        f"strategy_discussion:csc/{sd.id}",
        "initial child protection conference within 15 working days",
        acted_at=icpc_rec,
    )
    return rec


def cp_plan(ch: Chunk, c: Person, cid: str, icpc_at: int, concern: str) -> None:
    rng = ch.rng
    cat = {
        "neglect": "neglect",
        "physical": "physical",
        "sexual": "sexual",
        "emotional": "emotional",
        "domestic_abuse": "emotional",
    }.get(concern, rng.choice(["neglect", "emotional", "physical"]))
    at = icpc_at + 1800
    rec = at + 1800
    if rec > ch.end_ts:
        return
    plan = ch.event(
        "csc", "child_protection_plan", at, [(("csc", cid), "child")], {"category": cat}, ends_at=None
    )
    ch.emit(plan, rec)
    evid = ch.evidence(plan)
    months = max(3.0, rng.lognormvariate(2.2, 0.5))  # median about 9 months
    planned_end = T.add_days(at, int(months * 30.4))
    eighteen = c.eighteen_ts()
    # review conferences: 3 months after the initial conference, then every 6 months
    due = T.add_months(icpc_at, 3)
    k = 1
    end_at = None
    while True:
        raise_at = _sub_working_days(due, 20)
        x = rng.random()
        if x < 0.1:
            held = _sub_working_days(due, rng.randint(21, 30))
        elif x < 0.85:
            held = raise_at + int(rng.uniform(0.05, 0.98) * (due - raise_at))
        else:
            held = T.add_working_days(due, rng.randint(1, 20))
        held_rec = held + ch.hours(1, 8)
        if raise_at > ch.end_ts:
            break
        if held_rec < raise_at:
            pass  # held early: no alert for this review
        else:
            ch.situation(
                "CP-REVIEW",
                [(c, "child")],
                [evid],
                raise_at,
                due,
                f"plan:csc/{plan.id}:review{k}",
                "child protection review conference due",
                acted_at=held_rec if held_rec <= ch.end_ts else None,
            )
        if held_rec > ch.end_ts:
            break
        ending = held >= planned_end or held >= eighteen
        conf = ch.event(
            "csc",
            "child_protection_conference",
            held,
            [(("csc", cid), "child")],
            {"conference_type": "review", "outcome": "plan_ended" if ending else "plan_continues"},
        )
        ch.emit(conf, held_rec)
        if ending:
            end_at = held
            break
        due = T.add_months(held, 6)
        k += 1
    end_rec = end_at + 7200 if end_at is not None and end_at + 7200 <= ch.end_ts else None
    if end_rec is not None:
        plan.ends_at = end_at
        ch.emit(plan, end_rec)
    ch.plans.setdefault(c.tid, []).append((max(at, rec), end_rec if end_rec is not None else T.INF, evid))
    # statutory visits at least every 10 working days
    last = at
    stop = min(end_rec if end_rec is not None else T.INF, ch.end_ts)
    while True:
        gap = rng.randint(3, 7) if rng.random() < 0.96 else rng.randint(9, 16)
        nxt = T.add_working_days(last, gap)
        nxt = T.london_time(T.london_day(nxt), rng.randint(9 * 3600, 18 * 3600))
        nrec = nxt + ch.hours(0.5, 6)
        raise_at = T.add_working_days(last, 8)
        emitted = nxt < stop and nrec <= ch.end_ts
        if raise_at < stop and raise_at <= ch.end_ts and nrec > raise_at:
            vdue = T.add_working_days(last, 10)
            ch.situation(
                "CP-VISIT",
                [(c, "child")],
                [evid],
                raise_at,
                vdue,
                f"child:{c.tid}:{T.fmt_utc(vdue)}",
                "statutory visit due",
                acted_at=nrec if emitted else None,
            )
        if not emitted:
            break
        v = ch.event(
            "csc", "statutory_visit", nxt, [(("csc", cid), "child")], {"seen_alone": rng.random() < 0.7}
        )
        ch.emit(v, nrec)
        last = nxt


def _sub_working_days(ts: int, n: int) -> int:
    off = T.london_offset(ts)
    day, secs = divmod(ts + off, T.DAY)
    day += T.EPOCH
    while n > 0:
        day -= 1
        if T.is_working_day(day):
            n -= 1
    return T.london_time(day, secs)


def police_protection(ch: Chunk, households) -> None:
    rng = ch.rng
    for h in households:
        for c in h.children:
            if rng.random() >= ch.cfg["police_protection_rate"]:
                continue
            lo = max(ch.start_day, c.dob)
            hi = min(ch.end_day - 5, T.add_months_day(c.dob, 216) - 1)
            if hi <= lo:
                continue
            day = rng.randint(lo, hi)
            at = T.london_time(day, rng.randint(0, 86399))
            rec = at + ch.hours(0.3, 2)
            cid = contact(ch, c, "police", rec)
            pp = ch.event("police", "police_protection", at, [(("police", cid), "child")], {}, ends_at=None)
            ch.emit(pp, rec)
            x = rng.random()
            hours = (
                rng.uniform(3, 40) if x < 0.8 else rng.uniform(49, 71) if x < 0.95 else rng.uniform(73, 110)
            )
            end = at + int(hours * 3600)
            end_rec = end + ch.hours(0.2, 3)
            if end_rec <= ch.end_ts:
                pp.ends_at = end
                ch.emit(pp, end_rec)
            else:
                end_rec = None
            raise_at = at + 48 * 3600
            if raise_at <= ch.end_ts and (end_rec is None or end_rec > raise_at):
                ch.situation(
                    "POLICE-PROTECTION-72H",
                    [(c, "child")],
                    [ch.evidence(pp)],
                    raise_at,
                    at + 72 * 3600,
                    f"protection:police/{pp.id}",
                    "police protection nearing 72 hours",
                    acted_at=end_rec,
                )
            ch.referral_queue.append(
                {
                    "child": c,
                    "at": rec + ch.hours(1, 10),
                    "from": "police",
                    "concern": "physical",
                    "subject": None,
                }
            )
