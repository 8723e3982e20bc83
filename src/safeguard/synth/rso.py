"""Registered sex offenders: registration, notifications, home visits by risk level, breaches
and warning letters, no fixed abode, and the offender who moves in with a mother of children
without telling the register."""

from __future__ import annotations

from . import crime
from . import timeutil as T
from .core import Chunk, Moment, Person, Ref
from .population import leave, move

YEAR = 365
VISIT_MONTHS = {"very_high": 1, "high": 3, "medium": 6, "low": 12}


def plan(ch: Chunk, households) -> None:
    """Choose the chunk's registered sex offenders and shape their lives before sources record them."""
    rng = ch.rng
    E = ch.end_day
    expected = ch.cfg["rso_rate"] * ch.target
    n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
    men = [p for p in ch.people if p.sex == "male" and 25 * YEAR < E - p.dob < 78 * YEAR and p.res]
    singles = [
        p for p in men if p.hh is not None and p.hh.kind == "single_man" and "new_partner" not in p.flags
    ]
    others = [
        p for p in men if p not in singles and p.hh is not None and p.hh.kind in ("couple", "older_couple")
    ]
    chosen: list[Person] = []
    for _ in range(n):
        pool = singles if (rng.random() < 0.8 or not others) else others
        if not pool:
            break
        p = pool.pop(rng.randrange(len(pool)))
        chosen.append(p)
    mothers = [
        h for h in households if h.kind == "lone_mother" and h.partner is None and h.mother is not None
    ]
    for p in chosen:
        p.flags.add("rso")
        ch.rsos.append(p)
        # some spend a spell of no fixed abode
        if rng.random() < ch.cfg["rso_nfa_share"]:
            day = rng.randint(ch.start_day + 200, E - 60)
            if p.place_on(day) is not None:
                leave(p, day)
                back = day + rng.randint(30, 120)
                if back < E:
                    move(ch, [p], ch.new_dwelling(), back)
                p.flags.add("nfa")
                ch.rso_nfa[p.tid] = (day, back)
        # the pattern case reviews find: he moves in with a mother of young children
        if rng.random() < ch.cfg["rso_partner_share"] and mothers and "nfa" not in p.flags:
            h = mothers.pop(rng.randrange(len(mothers)))
            day = rng.randint(ch.start_day + 300, E - 20)
            young = [c for c in h.children if c.is_child_on(day)]
            if not young or h.mother.place_on(day) is None or p.place_on(day) is None:
                continue
            stays = rng.random() < 0.35
            place = h.mother.place_on(day)
            if stays:
                p.res.append([place, day, None, "stays"])
            else:
                move(ch, [p], place, day)
            p.partner_of.append((h.mother, day - rng.randint(20, 120), None))
            h.mother.partner_of.append((p, p.partner_of[-1][1], None))
            h.partner = p
            p.flags.add("new_partner")
            p.flags.add("rso_partner")
            ch.new_partners.append((p, h.mother, h, day, stays))


def run(ch: Chunk) -> None:
    for p in ch.rsos:
        _offender(ch, p)


def _offender(ch: Chunk, p: Person) -> None:
    rng = ch.rng
    E = ch.end_day
    if rng.random() < 0.6:
        conv_day = ch.start_day - rng.randint(60, 12 * YEAR)
    else:
        conv_day = rng.randint(ch.start_day, E - 40)
    at = T.london_time(conv_day - rng.randint(120, 500), rng.randint(0, 86399))
    s = crime.offence(ch, p, at, "sexual", path="convicted")
    if s is None or s["outcome_at"] is None or s["outcome_at"] > ch.end_ts - T.DAY:
        return
    reg_at = s["outcome_at"] + ch.hours(1, 6)
    reg_day = T.london_day(reg_at)
    crime.ensure_pnc(ch, p, reg_at)
    p.visor = f"VS-{ch.index:03d}{len(ch.registrations):04d}"
    rec = reg_at + 3600
    vid = ch.know(p, "visor", rec)
    ch.know(p, "police", rec)
    risk = rng.choices(["low", "medium", "high", "very_high"], [45, 35, 17, 3])[0]
    ends = None if rng.random() < 0.6 else T.add_months_day(reg_day, rng.choice([60, 84, 120]))
    reg = ch.event(
        "visor",
        "rso_registration",
        reg_at,
        [(("visor", vid), "offender")],
        {
            "starts_on": T.fmt_day(reg_day),
            "ends_on": T.fmt_day(ends) if ends else None,
            "risk_level": risk,
            "fixed_abode": True,
        },
    )
    ch.emit(reg, rec)
    reg_end = T.end_of_day(ends) if ends else T.INF
    evid = ch.evidence(reg)
    ch.registrations.setdefault(p.tid, []).append((rec, reg_end, evid))
    ch.add_marker(p, rec, reg_end, "sexual", evid)
    if rng.random() < 0.3:
        crime.order(
            ch,
            p,
            "police",
            "shpo",
            reg_day,
            T.add_months_day(reg_day, rng.choice([60, 120])),
            [
                "not to have unsupervised contact with children under 16",
                "to make devices available for inspection",
            ],
        )
    stop = min(reg_end, ch.end_ts)
    # notifications: initial, then annual and on every change of address
    moves = sorted(r[1] for r in p.res if r[3] == "resides" and T.london_midnight(r[1]) > rec)
    t = max(T.london_time(reg_day + rng.randint(0, 3), rng.randint(9 * 3600, 16 * 3600)), rec)
    if _notify(ch, p, vid, "initial", t, reg) is None:
        return
    last = t  # the `at` of the last initial, annual or change-of-address notification
    nfa = ch.rso_nfa.get(p.tid)
    compliant = 0.9 if "rso_partner" not in p.flags else 0.4
    while last < stop:
        anniv = T.add_months(last, 12)
        raise_at = T.add_days(anniv, -14)
        x = rng.random()
        if x < 0.82:
            planned = raise_at + int(rng.uniform(0.02, 0.98) * (anniv - raise_at))
        elif x < 0.9:
            planned = T.add_days(raise_at, -rng.randint(1, 20))
        elif x < 0.97:
            planned = anniv + int(rng.uniform(1, 30) * T.DAY)
        else:
            planned = anniv + int(rng.uniform(30, 90) * T.DAY)
            b_at = anniv + int(rng.uniform(7, 25) * T.DAY)
            if b_at < stop:
                _breach(ch, p, vid, reg, b_at)
        kind = "annual"
        mv = next((m for m in moves if T.london_midnight(m) > last and T.london_midnight(m) < planned), None)
        if mv is not None:
            moves.remove(mv)
            if rng.random() < compliant:
                planned = T.london_time(mv + rng.randint(0, 3), rng.randint(9 * 3600, 17 * 3600))
                kind = "change_of_address"
        if planned >= stop:
            if raise_at < stop:
                ch.situation(
                    "RSO-ANNUAL",
                    [(p, "offender")],
                    [evid],
                    raise_at,
                    anniv,
                    f"offender:{p.tid}",
                    "annual notification due",
                )
            break
        nrec = _notify(ch, p, vid, kind, planned, reg)
        if nrec is None:
            if raise_at <= ch.end_ts:
                ch.situation(
                    "RSO-ANNUAL",
                    [(p, "offender")],
                    [evid],
                    raise_at,
                    anniv,
                    f"offender:{p.tid}",
                    "annual notification due",
                )
            break
        if nrec >= raise_at and raise_at < stop:
            ch.situation(
                "RSO-ANNUAL",
                [(p, "offender")],
                [evid],
                raise_at,
                anniv,
                f"offender:{p.tid}",
                "annual notification due",
                acted_at=nrec,
            )
        last = planned
    if nfa is not None:
        _no_fixed_abode(ch, p, vid, reg, nfa, stop)
    _visits(ch, p, vid, reg, risk, rec, stop)


def _notify(ch: Chunk, p: Person, vid: str, kind: str, at: int, reg, place=None) -> int | None:
    rng = ch.rng
    rec = at + ch.hours(0.1, 2)
    if rec > ch.end_ts:
        return None
    day = T.london_day(at)
    place = place or p.place_on(day)
    loc = None
    if place is not None and kind in ("initial", "annual", "change_of_address", "child_household"):
        loc = ("visor", ch.loc("visor", place, rec))
        if kind in ("initial", "change_of_address"):
            key = (p.tid, place.pid)
            if not ch.notified.get(key) or kind == "change_of_address":
                ch.link("visor", p, place, "notified_address", rec, from_day=day)
        ch.notified.setdefault((p.tid, place.pid), []).append((rec, kind))
    n = ch.event(
        "visor",
        "rso_notification",
        at,
        [(("visor", vid), "offender")],
        {"notification_type": kind},
        location=loc,
    )
    ch.emit(n, rec)
    ch.rso_notes.setdefault(p.tid, []).append(rec)
    # living with children: the register should hear of it
    if place is not None and kind in ("initial", "change_of_address"):
        kids = [c for c in _children_at(ch, place, day) if c is not p]
        if kids and rng.random() < (0.8 if "rso_partner" not in p.flags else 0.4):
            _notify(ch, p, vid, "child_household", at + ch.hours(0.2, 1), reg, place)
    if rng.random() < 0.03 and kind == "annual":
        tat = at + int(rng.uniform(10, 200) * T.DAY)
        if tat + 7200 <= ch.end_ts:
            f = ch.event(
                "visor",
                "rso_notification",
                tat,
                [(("visor", vid), "offender")],
                {"notification_type": "foreign_travel", "departs_at": Moment(tat + 10 * T.DAY)},
            )
            ch.emit(f, tat + 3600)
    return rec


def _children_at(ch: Chunk, place, day: int) -> list[Person]:
    out = []
    for q in ch.people_at(place, day):
        if q.is_child_on(day):
            out.append(q)
    return out


def _breach(ch: Chunk, p: Person, vid: str, reg, at: int) -> None:
    rng = ch.rng
    rec = at + ch.hours(1, 30)
    if rec > ch.end_ts:
        return
    outcome = rng.choices(["warning_letter", "investigated", "charged"], [45, 30, 25])[0]
    b = ch.event(
        "visor",
        "breach",
        at,
        [(("visor", vid), "subject")],
        {
            "order": Ref(("visor", reg.id)),
            "outcome": outcome,
            "description": "failed to make annual notification",
        },
    )
    ch.emit(b, rec)
    ch.cj_triggers.setdefault(p.tid, []).append((at, rec, ch.evidence(b)))
    if outcome == "warning_letter":
        due = T.add_working_days(rec, 5)
        x = rng.random()
        acted = None
        if x < 0.3:
            acted = rec + int(rng.uniform(0.1, 0.95) * (due - rec))
        elif x < 0.5:
            acted = due + int(rng.uniform(1, 30) * T.DAY)
        if acted is not None and acted <= ch.end_ts:
            b.attrs["outcome"] = "investigated"
            ch.emit(b, acted)
        else:
            acted = None
        ch.situation(
            "BREACH-WARNING-ONLY",
            [(p, "offender")],
            [ch.evidence(b)],
            rec,
            due,
            f"breach:visor/{b.id}",
            "breach of notification requirements met with a warning letter only",
            acted_at=acted,
        )


def _no_fixed_abode(ch: Chunk, p: Person, vid: str, reg, nfa: tuple[int, int], stop: int) -> None:
    rng = ch.rng
    day, back = nfa
    f_at = T.london_time(day, rng.randint(9 * 3600, 17 * 3600))
    if f_at + 3600 > ch.end_ts or f_at > stop:
        return
    reg.attrs["fixed_abode"] = False
    ch.emit(reg, f_at + 3600)
    last = f_at  # when fixed_abode became false, then the `at` of each notification
    end = min(T.london_midnight(back), stop, ch.end_ts)
    while last < end:
        gap = rng.uniform(4, 6.9) if rng.random() < 0.85 else rng.uniform(8, 14)
        nxt = last + int(gap * T.DAY)
        raise_at = max(last + 7 * T.DAY, f_at + 3600)
        nrec = _notify(ch, p, vid, "weekly_no_fixed_abode", nxt, reg) if nxt < end else None
        if raise_at < end and (nrec is None or nrec > raise_at):
            ch.situation(
                "RSO-NO-FIXED-ABODE",
                [(p, "offender")],
                [ch.evidence(reg)],
                raise_at,
                raise_at,
                f"offender:{p.tid}",
                "no fixed abode: weekly notification missed",
                acted_at=nrec,
            )
        if nrec is None:
            break
        last = nxt
    back_at = T.london_time(back, 11 * 3600)
    if back_at + 3600 <= min(stop, ch.end_ts):
        reg.attrs["fixed_abode"] = True
        ch.emit(reg, back_at + 3600)


def _visits(ch: Chunk, p: Person, vid: str, reg, risk: str, rec: int, stop: int) -> None:
    rng = ch.rng
    months = VISIT_MONTHS[risk]
    last = T.london_midnight(T.london_day(reg.at))  # the registration's start (starts_on, 00:00)
    evid = ch.evidence(reg)
    while True:
        due = T.add_months(last, months)
        raise_at = T.add_days(due, -14)
        x = rng.random()
        if x < 0.8:
            v = raise_at + int(rng.uniform(0.02, 0.98) * (due - raise_at))
        elif x < 0.88:
            v = T.add_days(raise_at, -rng.randint(1, 25))
        else:
            v = due + int(rng.uniform(1, 45) * T.DAY)
        v = T.london_time(T.london_day(v), rng.randint(9 * 3600, 19 * 3600))
        seen_rec = None
        t = v
        for _ in range(3):
            vrec = t + ch.hours(0.5, 5)
            if vrec > ch.end_ts or t >= stop:
                break
            outcome = rng.choices(["seen", "not_seen", "refused"], [92, 6, 2])[0]
            home = p.place_on(T.london_day(t))
            ev = ch.event(
                "visor",
                "rso_visit",
                t,
                [(("visor", vid), "offender")],
                {"outcome": outcome, "announced": rng.random() < 0.4},
                location=("visor", ch.loc("visor", home, vrec))
                if home is not None and rng.random() < 0.5
                else None,
            )
            ch.emit(ev, vrec)
            if outcome == "seen":
                seen_rec, seen_at = vrec, t
                break
            t = t + int(rng.uniform(1, 14) * T.DAY)
        if raise_at < stop and (seen_rec is None or seen_rec >= raise_at):
            ch.situation(
                "RSO-VISIT",
                [(p, "offender")],
                [evid],
                raise_at,
                due,
                f"offender:{p.tid}",
                "home visit due by risk level",
                acted_at=seen_rec,
            )
        if seen_rec is None:
            break
        last = seen_at
