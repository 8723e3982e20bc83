"""What each agency knows of a person's address, and the records health and education hold
about every family: child health and health visiting, school rolls."""

from __future__ import annotations

import datetime as dt

from . import timeutil as T
from .core import Chunk, LinkRec, Person

YEAR = 365


def contact(
    ch: Chunk, p: Person, source: str, ts: int, hint: str = "", address: bool = True, dup: float = 0.0
) -> str:
    """A contact between an agency and a person at ``ts``: the agency holds a record of the person
    and, when ``address``, writes down where the person lives now if it did not know."""
    ts = ch.clamp(ts)
    rid = ch.know(p, source, ts, hint, dup=dup)
    if not address:
        return rid
    day = T.london_day(ts)
    r = p.res_on(day)
    if r is None:
        return rid
    place = r[0]
    key = (source, p.tid)
    cur = ch.cur_link.get(key)
    if cur is not None and cur.pid == place.pid:
        return rid
    rng = ch.rng
    if cur is not None and cur.to_day is None and rng.random() < 0.6:
        ch.close_link(cur, max(r[1] - 1, cur.from_day or r[1] - 1), ts)
    from_day = r[1] if rng.random() < 0.6 else None
    if from_day is not None and from_day > day:
        from_day = None
    role = r[3] if r[3] in ("resides", "stays") else "resides"
    ch.cur_link[key] = ch.link(source, p, place, role, ts, from_day=from_day)
    return rid


def track(
    ch: Chunk,
    p: Person,
    source: str,
    known_from: int,
    update_p: float,
    lag: tuple[int, int] = (0, 45),
    hint: str = "",
    known_to: int | None = None,
) -> None:
    """A source that keeps a person's address up to date (usually) from ``known_from`` on."""
    rng = ch.rng
    known_from = ch.clamp(known_from)
    ch.know(p, source, known_from, hint)
    periods = sorted((r for r in p.res if r[3] == "resides"), key=lambda r: r[1])
    cur: LinkRec | None = None
    for place, f, t, _role in periods:
        if t is not None and T.end_of_day(t) <= known_from:
            continue
        if cur is None:
            rec_ts = max(known_from, T.london_midnight(f)) if f > T.london_day(known_from) else known_from
            if rec_ts > ch.end_ts:
                return
            from_day = f if rng.random() < 0.8 else None
            cur = ch.link(source, p, place, "resides", rec_ts, from_day=from_day)
            continue
        if known_to is not None and T.london_midnight(f) > known_to:
            break
        if rng.random() >= update_p:
            break  # the source loses track: its address stays as it was
        rec_ts = T.london_midnight(f) + rng.randint(lag[0], lag[1]) * T.DAY + rng.randint(8 * 3600, 17 * 3600)
        rec_ts = max(rec_ts, cur.first_rec + 3600)
        if rec_ts > ch.end_ts:
            break
        if rng.random() < 0.85:
            ch.close_link(cur, f - 1, rec_ts)
        cur = ch.link(source, p, place, "resides", rec_ts, from_day=f if rng.random() < 0.9 else None)
    if cur is not None:
        ch.cur_link[(source, p.tid)] = cur


def _school_start(dob: int, age: int) -> int:
    """1 September of the school year in which a child born on ``dob`` is ``age`` at its start."""
    y = T.year_of(dob) + age
    d = dt.date(y, 9, 1).toordinal()
    if d - dob < age * 365.25 - 2:  # born after 1 September: starts a year later
        d = dt.date(y + 1, 9, 1).toordinal()
    return d


def cover(ch: Chunk, households) -> None:
    """Health and education records for every family, as those agencies hold them."""
    rng = ch.rng
    E = ch.end_day
    start = ch.start_day
    schools = ch.shared["schools"]
    for h in households:
        if not h.children:
            continue
        for c in h.children:
            if c.dob > E:
                continue
            eighteen = T.add_months_day(c.dob, 216)
            if eighteen < start:
                continue
            # child health record: from birth (a few children arrive from elsewhere later)
            if rng.random() < 0.97:
                born_ts = (
                    T.london_midnight(c.dob) + rng.randint(1, 14) * T.DAY + rng.randint(9 * 3600, 17 * 3600)
                )
                if born_ts <= ch.end_ts:
                    track(ch, c, "health", born_ts, 0.9, (0, 60))
                    if c.parents and h.mother is not None and rng.random() < 0.9:
                        ch.relate("health", h.mother, c, "parent_of", born_ts)
            # school roll
            _schooling(ch, c, schools)
        # health visiting knows the mother (and often the father) while a child is under 5
        under5 = [c for c in h.children if c.dob <= E and c.dob + 5 * YEAR >= start]
        if under5 and h.mother is not None:
            first = min(c.dob for c in under5)
            ts = T.london_midnight(first) + rng.randint(5, 20) * T.DAY + 10 * 3600
            if ts <= ch.end_ts and rng.random() < 0.92:
                track(ch, h.mother, "health", ts, 0.85, (0, 60))
                if (
                    h.father is not None
                    and h.father.place_on(first) is h.mother.place_on(first)
                    and rng.random() < 0.3
                ):
                    track(ch, h.father, "health", ts + rng.randint(1, 90) * T.DAY, 0.7, (0, 90))
                    rel = ch.relate("health", h.father, h.mother, "partner_of", ts + T.DAY)
                    end = _partnership_end(h.father, h.mother, first)
                    if end is not None and rng.random() < 0.6:
                        ch.close_rel(
                            rel, end, T.london_midnight(end) + rng.randint(10, 200) * T.DAY + 11 * 3600
                        )


def _schooling(ch: Chunk, c: Person, schools: dict) -> None:
    rng = ch.rng
    E = ch.end_day
    if rng.random() > 0.95:
        return  # home educated, or at school out of the area
    town = c.res[0][0].town if c.res else 0
    stages = []
    if rng.random() < 0.5:
        stages.append(("nursery", _school_start(c.dob, 2) + 120, _school_start(c.dob, 4) - 40))
    stages.append(("primary", _school_start(c.dob, 4), _school_start(c.dob, 11) - 40))
    sec_end = _school_start(c.dob, 16) - 40 if rng.random() < 0.5 else _school_start(c.dob, 18) - 40
    stages.append(("secondary", _school_start(c.dob, 11), sec_end))
    first_ts = None
    for phase, f, t in stages:
        if t < ch.start_day - 400 or f > E:
            continue
        options = schools["by_town"].get((phase, town)) or schools[phase]
        pid, rid, _town, _name = options[rng.randrange(len(options))]
        rec_ts = T.london_time(f, rng.randint(8 * 3600, 16 * 3600)) - rng.randint(0, 20) * T.DAY
        if rec_ts > ch.end_ts:
            continue
        if first_ts is None:
            first_ts = rec_ts
            track(ch, c, "education", rec_ts, 0.95, (0, 30))
        if c.upn is None:
            c.upn = f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[c.dob % 23]}940{int(rid[3:]) % 10000:04d}{T.year_of(f) % 100:02d}{int(c.tid[-5:]) % 1000:03d}"
        cid = ch.know(c, "education", rec_ts)
        lid = ch.new_id("education", "person_location")
        obj = {
            "kind": "person_location",
            "source": "education",
            "id": lid,
            "recorded_at": ch.fmt("education", rec_ts),
            "person": cid,
            "location": rid,
            "role": "attends",
            "from": T.fmt_day(f),
        }
        ch.out("person_location", rec_ts, obj)
        ch.school_of.setdefault(c.tid, []).append((f, t, rid))
        end_ts = T.london_time(t, 15 * 3600)
        if end_ts <= ch.end_ts:
            obj = dict(obj, recorded_at=ch.fmt("education", end_ts), to=T.fmt_day(t))
            ch.out("person_location", end_ts, obj)


def school_on(ch: Chunk, c: Person, day: int) -> str | None:
    for f, t, rid in ch.school_of.get(c.tid, ()):
        if f <= day <= t:
            return rid
    return None


def record_partners(ch: Chunk) -> None:
    """The mother's new partner, as the health visitor and social worker write him down: often a
    nickname, a guessed or partial date of birth, no identifiers - and the police know him by his
    full name."""
    rng = ch.rng
    for man, mother, h, day, stays in ch.new_partners:
        place = mother.place_on(day)
        if place is None:
            continue
        young = [c for c in h.children if c.dob <= day and day - c.dob < 5 * YEAR]
        known = "health" in mother.recs
        if (young or known) and rng.random() < 0.85:
            ts = T.london_time(day + rng.randint(5, 80), rng.randint(9 * 3600, 17 * 3600))
            if ts <= ch.end_ts:
                ch.know(man, "health", ts, hint="partner")
                ch.link(
                    "health",
                    man,
                    place,
                    "stays" if stays else "resides",
                    ts,
                    from_day=day if rng.random() < 0.7 else None,
                )
                rel = ch.relate(
                    "health",
                    man,
                    mother,
                    "partner_of",
                    ts,
                    from_day=day - rng.randint(0, 90) if rng.random() < 0.6 else None,
                    hint_a="partner",
                )
                end = _partnership_end(man, mother, day)
                if end is not None and rng.random() < 0.5:
                    ch.close_rel(rel, end, T.london_midnight(end) + rng.randint(10, 120) * T.DAY + 10 * 3600)
        if "csc" in mother.recs and rng.random() < 0.5:
            ts = T.london_time(day + rng.randint(20, 200), rng.randint(9 * 3600, 17 * 3600))
            if ts <= ch.end_ts and man.place_on(T.london_day(ts)) is place:
                contact(ch, man, "csc", ts, hint="partner")


def _partnership_end(a: Person, b: Person, day: int) -> int | None:
    """The last day of ``a`` and ``b``'s partnership as of ``day``: of those begun by then, the one
    that lasts longest (a couple who part and get together again are in their second one, not the
    first one's end, which is before the second began); their first if none had begun. None while
    it lasts, or if they were never partners."""
    spans = [(f, t) for o, f, t in a.partner_of if o is b]
    if not spans:
        return None
    begun = [t for f, t in spans if f <= day]
    if not begun:
        return spans[0][1]
    return None if None in begun else max(begun)
