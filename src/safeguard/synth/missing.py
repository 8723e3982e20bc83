"""Missing children: most go missing once; a few go missing again and again, many from care.
Each episode is sent open and re-sent when the child is found; return home interviews follow;
some are found at the address of a registered sex offender or an exploiter."""

from __future__ import annotations

from . import family
from . import timeutil as T
from .core import Chunk, Moment, Person, Ref
from .sources import contact

YEAR = 365


def run(ch: Chunk) -> None:
    rng = ch.rng
    cfg = ch.cfg
    E = ch.end_day
    risky_places = []
    for p in ch.rsos + ch.exploiters:
        for r in p.res:
            if r[3] in ("resides", "stays"):
                risky_places.append((r[0], r[1], r[2]))
    for c in list(ch.people):
        lo = max(ch.start_day, c.dob + 10 * YEAR)
        hi = min(E - 1, T.add_months_day(c.dob, 216) - 1)
        if hi <= lo:
            continue
        years = (hi - lo) / YEAR
        care = ch.care_spans.get(c.tid)
        p_any = 1 - (1 - cfg["missing_rate"]) ** years
        if care is not None:
            p_any = 1 - (1 - cfg["missing_rate_care"]) ** max(
                0.2, (min(hi, care[1]) - max(lo, care[0])) / YEAR
            )
        if rng.random() >= p_any:
            continue
        repeat = care is not None and rng.random() < 0.65 or rng.random() < 0.2
        n = rng.randint(4, 18) if repeat else rng.randint(1, 2)
        if care is not None and max(lo, care[0]) < min(hi, care[1]):
            s_lo, s_hi = max(lo, care[0]), min(hi, care[1])
        else:
            s_lo, s_hi = lo, hi
        first = rng.randint(s_lo, s_hi)
        span = rng.randint(30, 300) if repeat else rng.randint(1, 200)
        days = sorted({min(s_hi, first + rng.randint(0, span)) for _ in range(n)})
        _episodes(ch, c, days, care, risky_places)


def _episodes(ch: Chunk, c: Person, days: list[int], care, risky_places) -> None:
    rng = ch.rng
    episodes = []
    last_end = 0
    for day in days:
        at = T.london_time(day, rng.randint(15 * 3600, 23 * 3600))
        if at <= last_end:
            at = last_end + ch.hours(12, 72)
        if at >= c.eighteen_ts():
            break  # an adult now: no longer a missing child
        rec = at + ch.hours(0.5, 3)
        if rec > ch.end_ts:
            break
        cid = contact(ch, c, "police", rec)
        from_care = care is not None and care[0] <= T.london_day(at) < care[1]
        risk = rng.choices(["high", "medium", "low", "no_apparent_risk"], [10, 55, 30, 5])[0]
        ep = ch.event(
            "police",
            "missing_episode",
            at,
            [(("police", cid), "missing")],
            {"risk_level": risk, "from_care": from_care},
            ends_at=None,
        )
        ch.emit(ep, rec)
        hours = min(24 * 30, rng.lognormvariate(2.3, 1.0))
        end = at + int(hours * 3600)
        end_rec = end + ch.hours(0.2, 2)
        found = None
        if end_rec <= ch.end_ts:
            ep.ends_at = end
            if rng.random() < 0.65:
                found = _found_place(ch, c, T.london_day(end), risky_places, len(days) > 3)
                if found is not None:
                    lid = ch.loc("police", found, end_rec)
                    ep.attrs["found_location"] = Ref(("police", lid))
                    if rng.random() < 0.5:
                        ch.link(
                            "police",
                            c,
                            found,
                            "found_at",
                            end_rec,
                            from_day=T.london_day(end),
                            to_day=T.london_day(end),
                        )
            ch.emit(ep, end_rec)
        else:
            end_rec = None
        last_end = end
        evid = ch.evidence(ep)
        episodes.append((at, rec, ep))
        if risk == "high":
            ch.situation(
                "MISSING-HIGH",
                [(c, "missing")],
                [evid],
                rec,
                None,
                f"episode:police/{ep.id}",
                "high-risk missing child",
                acted_at=end_rec,
            )
        if end_rec is not None:
            _rhi(ch, c, ep, end, end_rec)
            if found is not None:
                ch.found.append(
                    {
                        "ev": ep,
                        "child": c,
                        "pid": found.pid,
                        "rec": end_rec,
                        "planted": found.pid in ch.risky_pids,
                    }
                )
        # repeat missing: the third episode within 30 days
        prior = [x for x in episodes[:-1] if at - 30 * T.DAY <= x[0] < at]
        if len(prior) >= 2:
            open_sit = ch.repeat_open.get(c.tid)
            sat = None
            if open_sit is not None:
                sat = next((t for t in sorted(ch.sd_times.get(c.tid, ())) if t >= open_sit["true_at"]), None)
            if open_sit is None or (sat is not None and sat <= rec):
                s = ch.situation(
                    "MISSING-REPEAT",
                    [(c, "missing")],
                    [evid] + [ch.evidence(x[2]) for x in prior[-2:]],
                    rec,
                    T.add_working_days(rec, 5),
                    f"child:{c.tid}",
                    "repeatedly missing",
                    satisfied_by=("sd", c.tid),
                    extra={"new_record": True} if open_sit is not None else None,
                )
                ch.repeat_open[c.tid] = s
                _respond_sd(ch, c, rec, T.add_working_days(rec, 5))
        if found is not None and getattr(found, "kind", "") == "dwelling" and found.pid in ch.risky_pids:
            _respond_sd(ch, c, end_rec, T.add_working_days(end_rec, 1), p_in=0.6, p_late=0.25)


def _respond_sd(ch: Chunk, c: Person, rec: int, due: int, p_in: float = 0.55, p_late: float = 0.25) -> None:
    rng = ch.rng
    x = rng.random()
    if x < p_in:
        when = rec + int(rng.uniform(0.05, 0.7) * (due - rec))
    elif x < p_in + p_late:
        when = due + int(rng.uniform(1, 20) * T.DAY)
    else:
        return
    if when > ch.end_ts - 6 * 3600:
        return
    cid = contact(ch, c, "csc", when)
    sd_at = when
    rec_sd = sd_at + ch.hours(0.2, 2)
    if rec_sd > ch.end_ts:
        return
    sd = ch.event(
        "csc",
        "strategy_discussion",
        sd_at,
        [(("csc", cid), "child")],
        {"outcome": rng.choices(["no_s47", "s47", "assess_further"], [55, 25, 20])[0]},
    )
    ch.emit(sd, rec_sd)
    ch.sd_times.setdefault(c.tid, []).append(rec_sd)
    if sd.attrs["outcome"] == "s47":
        ch.situation(
            "ICPC-15",
            [(c, "child")],
            [ch.evidence(sd)],
            rec_sd,
            T.add_working_days(sd_at, 15),
            f"strategy_discussion:csc/{sd.id}",
            "initial child protection conference within 15 working days",
        )
        if rng.random() < 0.4:
            icpc_at = T.add_working_days(sd_at, rng.randint(5, 15))
            if icpc_at + 7200 <= ch.end_ts:
                conf = ch.event(
                    "csc",
                    "child_protection_conference",
                    icpc_at,
                    [(("csc", cid), "child")],
                    {"conference_type": "initial", "outcome": "plan"},
                )
                ch.emit(conf, icpc_at + 3600)
                ch.situations[-1]["acted_at"] = icpc_at + 3600
                family.cp_plan(ch, c, cid, icpc_at, "exploitation")


def _found_place(ch: Chunk, c: Person, day: int, risky_places, repeat: bool):
    rng = ch.rng
    x = rng.random()
    if repeat and risky_places and x < ch.cfg["found_at_risk_share"]:
        current = [pl for pl, f, t in risky_places if f <= day and (t is None or day <= t)]
        if current:
            place = rng.choice(current)
            ch.risky_pids.add(place.pid)
            return place
    if x < 0.45:
        return c.place_on(day)
    if x < 0.75:
        other = ch.people[rng.randrange(len(ch.people))]
        return other.place_on(day)
    town = c.place_on(day).town if c.place_on(day) is not None else 0
    key = f"PUB{ch.index:04d}-{town}-{rng.randrange(4)}"
    names = [
        "Bus station",
        "Town centre car park",
        "McDonald's",
        "Retail park",
        "Railway station",
        "Recreation ground",
    ]
    return ch.special_place(key, "public_place", names[int(key[-1]) % len(names)], town)


def _rhi(ch: Chunk, c: Person, ep, end: int, end_rec: int) -> None:
    rng = ch.rng
    due = end + 72 * 3600
    x = rng.random()
    offered = end + int(rng.uniform(2, 24) * 3600)
    attrs = {"episode": Ref(("police", ep.id)), "offered_at": Moment(offered)}
    if x < 0.72:
        done = max(end_rec + 600, end + int(rng.uniform(12, 70) * 3600))
        attrs["completed_at"] = Moment(done)
        when = done
    elif x < 0.8:
        attrs["declined"] = True
        when = max(end_rec + 600, offered + 3600)
    elif x < 0.94:
        done = due + int(rng.uniform(3, 240) * 3600)
        attrs["completed_at"] = Moment(done)
        when = done
    else:
        when = None
    rec = when + ch.hours(0.2, 6) if when is not None else None
    if "completed_at" in attrs and attrs["completed_at"].ts - 1800 < offered:
        attrs["offered_at"] = Moment(max(end, attrs["completed_at"].ts - int(rng.uniform(0.5, 6) * 3600)))
    if rec is not None and rec <= ch.end_ts:
        cid = contact(ch, c, "csc", rec, address=False)
        ev = ch.event("csc", "return_home_interview", when, [(("csc", cid), "child")], attrs)
        ch.emit(ev, rec)
    else:
        rec = None
    ch.situation(
        "RHI-72H",
        [(c, "missing")],
        [ch.evidence(ep)],
        end_rec,
        due,
        f"episode:police/{ep.id}",
        "return home interview within 72 hours",
        acted_at=rec,
    )
