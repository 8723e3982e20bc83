"""Households over the years: who lives where, births, moves, separations, new partners, care.

Proportions (see docs/synthetic-data.md): household mix of the population partner agencies hold
records about; children per family after ONS families-and-households tables; twins at the ONS
multiple-maternity rate; moves at about the English Housing Survey rate.
"""

from __future__ import annotations

from . import names as N
from . import timeutil as T
from .core import Chunk, Person, Place, nhs_number

YEAR = 365


class Household:
    __slots__ = ("kind", "members", "mother", "father", "children", "place", "partner", "start")

    def __init__(self, kind: str):
        self.kind = kind
        self.members: list[Person] = []
        self.mother: Person | None = None
        self.father: Person | None = None
        self.children: list[Person] = []
        self.place: Place | None = None
        self.partner: Person | None = None
        self.start = 0


def _pick(rng, table):
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return rng.choices(names, weights)[0]


_SURNAME_TABLE = N.SURNAMES + [(s, N.TAIL_WEIGHT_EACH) for s in N.TAIL_SURNAMES]
_SN_NAMES = [n for n, _ in _SURNAME_TABLE]
_SN_CUM: list[float] = []
_acc = 0.0
for _n, _w in _SURNAME_TABLE:
    _acc += _w
    _SN_CUM.append(_acc)


def surname(rng) -> str:
    return rng.choices(_SN_NAMES, cum_weights=_SN_CUM)[0]


def new_person(
    ch: Chunk, sex: str, dob: int, family: str, child: bool | None = None, first: str | None = None
) -> Person:
    rng = ch.rng
    if child is None:
        child = dob > ch.end_day - 27 * YEAR
    if first is None:
        table = (
            (N.MALE_CHILD if child else N.MALE_ADULT)
            if sex == "male"
            else (N.FEMALE_CHILD if child else N.FEMALE_ADULT)
        )
        first = _pick(rng, table)
    middles: list[str] = []
    x = rng.random()
    if x < 0.72:
        pool = N.MIDDLE_MALE if sex == "male" else N.MIDDLE_FEMALE
        middles = [rng.choice(pool)]
        if x < 0.08:
            second = rng.choice(pool)
            if second != middles[0]:
                middles.append(second)
    p = Person(ch.new_tid(), sex, first, middles, family, dob)
    n = ch.index * 100_000 + ch.pcount
    p.nhs = nhs_number(n * 48271 % 99_999_989)
    if first in N.NICKNAMES and rng.random() < 0.55:
        p.nick = rng.choice(N.NICKNAMES[first])
    if family in N.COMMON_SURNAMES and first in N.COMMON_FORENAMES:
        p.traps.append("common_name")
    ch.people.append(p)
    return p


def move(ch: Chunk, people: list[Person], place: Place, day: int, role: str = "resides") -> None:
    for p in people:
        for r in p.res:
            if r[2] is None and r[3] == role:
                r[2] = day - 1
        p.res.append([place, day, None, role])


def leave(p: Person, day: int, role: str = "resides") -> None:
    for r in p.res:
        if r[2] is None and r[3] == role:
            r[2] = day - 1


def build(ch: Chunk, before_histories=None) -> list[Household]:
    """Make the chunk's households and run their histories over the window."""
    rng = ch.rng
    cfg = ch.cfg
    kinds = list(cfg["household_mix"].keys())
    weights = list(cfg["household_mix"].values())
    households: list[Household] = []
    forced = ["twins", "junior"]
    while len(ch.people) < ch.target:
        if forced:
            kind, force = "couple", forced.pop(0)
        else:
            kind, force = rng.choices(kinds, weights)[0], None
        if kind in ("couple", "lone_mother", "lone_father"):
            households.append(_family(ch, kind, force))
        else:
            households.append(_adults(ch, kind))
    if before_histories is not None:
        before_histories(ch)
    men = [h.father for h in households if h.kind == "single_man"]
    rng.shuffle(men)
    ch.shared_men = men
    for h in households:
        if h.kind in ("couple", "lone_mother"):
            _family_history(ch, h, men)
        elif h.kind in ("single_man", "single_woman", "older_couple"):
            _adult_moves(ch, h)
    _care(ch, households)
    return households


def _family(ch: Chunk, kind: str, force: str | None) -> Household:
    rng = ch.rng
    E = ch.end_day
    h = Household(kind)
    n = rng.choices([1, 2, 3, 4, 5], [44, 38, 12, 4, 2])[0]
    eldest = E - rng.randint(20, 24 * YEAR)
    dobs: list[int] = []
    d = eldest
    for i in range(n):
        if i:
            d += rng.randint(420, 5 * YEAR)
        if d >= E - 5:
            break
        dobs.append(d)
        if force == "twins" and i == 0 or rng.random() < ch.cfg["twin_rate"]:
            dobs.append(d)  # twins
            force = None
    mother_age = min(42, max(16, rng.gauss(27.5, 5.5)))
    mother_dob = eldest - int(mother_age * 365.25) - rng.randint(0, 300)
    father_dob = mother_dob - int(min(15, max(-5, rng.gauss(2.5, 3.5))) * 365.25) - rng.randint(0, 200)
    fam = surname(ch.rng)
    maiden = surname(ch.rng)
    h.start = min(eldest - rng.randint(0, 1200), ch.start_day - rng.randint(30, 3000))
    mother = new_person(ch, "female", mother_dob, maiden, child=False)
    h.mother = mother
    h.members.append(mother)
    child_surname = fam
    if kind == "couple":
        father = new_person(ch, "male", father_dob, fam, child=False)
        h.father = father
        h.members.append(father)
        father.partner_of.append((mother, h.start, None))
        mother.partner_of.append((father, h.start, None))
        if rng.random() < 0.55:
            wed = T.london_midnight(h.start + rng.randint(0, 3000))
            mother.surnames.append((wed, fam))
        elif rng.random() < 0.25:
            child_surname = f"{maiden}-{fam}" if rng.random() < 0.5 else maiden
    elif kind == "lone_father":
        father = new_person(ch, "male", father_dob, fam, child=False)
        h.father = father
        h.members.append(father)
        h.members.remove(mother)
        h.mother = None
        ch.people.remove(mother)
    else:
        x = rng.random()
        child_surname = maiden if x < 0.45 else (f"{maiden}-{fam}" if x < 0.55 else fam)
    prev_dob = None
    prev = None
    for cd in dobs:
        sex = rng.choice(["male", "female"])
        first = None
        if cd == prev_dob and prev is not None:
            # twins: same surname, date of birth and address; different forenames
            sex = prev.sex if rng.random() < 0.66 else ("female" if prev.sex == "male" else "male")
            while True:
                c = new_person(ch, sex, cd, child_surname, child=True)
                if c.first != prev.first:
                    break
                ch.people.remove(c)
            c.traps.append("twin")
            if "twin" not in prev.traps:
                prev.traps.append("twin")
        else:
            if (
                (force == "junior" or (sex == "male" and rng.random() < ch.cfg["junior_rate"]))
                and h.father
                and child_surname == fam
            ):
                sex = "male"
                first = h.father.first
            c = new_person(ch, sex, cd, child_surname, child=True, first=first)
            if first is not None:
                c.middles = list(h.father.middles) if rng.random() < 0.7 else c.middles
                c.traps.append("same_name_parent_child")
                if "same_name_parent_child" not in h.father.traps:
                    h.father.traps.append("same_name_parent_child")
                force = None
        c.parents = [x for x in (h.mother, h.father) if x]
        for par in c.parents:
            par.children.append(c)
        h.children.append(c)
        h.members.append(c)
        prev_dob, prev = cd, c
    if force == "junior" and h.father and not any("same_name_parent_child" in c.traps for c in h.children):
        # the forced case where the family's only child is a girl: add a junior
        cd = min(E - 10, (dobs[-1] if dobs else eldest) + 700)
        c = new_person(ch, "male", cd, fam, child=True, first=h.father.first)
        c.middles = list(h.father.middles)
        c.traps.append("same_name_parent_child")
        h.father.traps.append("same_name_parent_child")
        c.parents = [x for x in (h.mother, h.father) if x]
        for par in c.parents:
            par.children.append(c)
        h.children.append(c)
        h.members.append(c)
    place = ch.new_dwelling()
    h.place = place
    for p in h.members:
        p.hh = h
        p.res.append([place, max(h.start, p.dob) if p in h.children else h.start, None, "resides"])
    return h


def _adults(ch: Chunk, kind: str) -> Household:
    rng = ch.rng
    h = Household(kind)
    E = ch.end_day
    if kind == "single_man":
        age = min(75, max(18, rng.gauss(36, 11)))
        p = new_person(ch, "male", E - int(age * 365.25) - rng.randint(0, 364), surname(rng), child=False)
        h.father = p
        h.members = [p]
    elif kind == "single_woman":
        age = min(80, max(18, rng.gauss(40, 14)))
        p = new_person(ch, "female", E - int(age * 365.25) - rng.randint(0, 364), surname(rng), child=False)
        h.mother = p
        h.members = [p]
    else:
        age = min(85, max(40, rng.gauss(60, 10)))
        fam = surname(rng)
        m = new_person(ch, "male", E - int(age * 365.25) - rng.randint(0, 364), fam, child=False)
        w = new_person(ch, "female", m.dob + rng.randint(-1500, 2500), surname(rng), child=False)
        w.surnames.append((-T.INF + 1, fam))
        h.father, h.mother = m, w
        h.members = [m, w]
        m.partner_of.append((w, E - 40 * YEAR, None))
        w.partner_of.append((m, E - 40 * YEAR, None))
    h.start = ch.start_day - rng.randint(30, 4000)
    place = ch.new_dwelling()
    h.place = place
    for p in h.members:
        p.hh = h
        p.res.append([place, h.start, None, "resides"])
    return h


def _poisson_days(ch: Chunk, rate_per_year: float, lo: int, hi: int) -> list[int]:
    rng = ch.rng
    out = []
    if hi <= lo or rate_per_year <= 0:
        return out
    t = lo
    while True:
        t += int(rng.expovariate(rate_per_year / YEAR)) + 1
        if t >= hi:
            return out
        out.append(t)


def _adult_moves(ch: Chunk, h: Household) -> None:
    rate = ch.cfg["move_rate"] * (1.5 if h.kind == "single_man" else 1.0)
    for day in _poisson_days(ch, rate, ch.start_day, ch.end_day):
        place = ch.new_dwelling()
        current = [
            p
            for p in h.members
            if p.res and p.res[-1][2] is None and p.res[-1][3] == "resides" and p.res[-1][0] is h.place
        ]
        if not current:
            return
        move(ch, current, place, day)
        h.place = place


def _family_history(ch: Chunk, h: Household, men: list[Person]) -> None:
    """Moves, a father leaving, a new partner moving in with the mother."""
    rng = ch.rng
    cfg = ch.cfg
    E = ch.end_day
    events: list[tuple[int, str]] = [
        (d, "move") for d in _poisson_days(ch, cfg["move_rate"], ch.start_day, E)
    ]
    if h.father is not None and h.kind == "couple":
        events += [(d, "separate") for d in _poisson_days(ch, cfg["separation_rate"], ch.start_day, E)[:1]]
    partner_rate = cfg["new_partner_rate"]
    events += [(d, "partner") for d in _poisson_days(ch, partner_rate, ch.start_day, E)]
    events.sort()
    for day, what in events:
        mother = h.mother
        here = [p for p in h.members if p.place_on(day) is h.place]
        if what == "move":
            place = ch.new_dwelling()
            move(ch, here, place, day)
            if h.partner is not None and h.partner.place_on(day) is h.place and h.partner not in here:
                move(ch, [h.partner], place, day)
            h.place = place
        elif what == "separate" and h.father is not None and h.father.place_on(day) is h.place:
            f = h.father
            place = ch.new_dwelling()
            move(ch, [f], place, day)
            _end_partnership(f, mother, day)
            h.kind = "lone_mother"
        elif what == "partner" and mother is not None and h.kind == "lone_mother" and h.partner is None:
            young = [c for c in h.children if c.dob <= day and day - c.dob < 16 * YEAR]
            if not young or day - mother.dob > 50 * YEAR:
                continue
            man = _choose_partner(ch, mother, men, day)
            if man is None:
                continue
            h.partner = man
            man.flags.add("new_partner")
            stays = rng.random() < 0.3
            man.partner_of.append((mother, day - rng.randint(20, 200), None))
            mother.partner_of.append((man, man.partner_of[-1][1], None))
            if stays:
                man.res.append([h.place, day, None, "stays"])
            else:
                move(ch, [man], h.place, day)
            ch.new_partners.append((man, mother, h, day, stays))
            # many of these relationships end
            if rng.random() < 0.45:
                end = day + int(rng.uniform(0.3, 3.0) * YEAR)
                if end < E:
                    if stays:
                        leave(man, end, "stays")
                    else:
                        move(ch, [man], ch.new_dwelling(), end)
                    _end_partnership(man, mother, end)
                    h.partner = None


def _end_partnership(a: Person, b: Person | None, day: int) -> None:
    if b is None:
        return
    for lst, other in ((a.partner_of, b), (b.partner_of, a)):
        for i, (o, f, t) in enumerate(lst):
            if o is other and t is None:
                lst[i] = (o, f, day)


def _choose_partner(ch: Chunk, mother: Person, men: list[Person], day: int) -> Person | None:
    rng = ch.rng
    want_violent = rng.random() < ch.cfg["violent_partner_share"]
    best = None
    for _ in range(40):
        if not men:
            return None
        m = men[rng.randrange(len(men))]
        if m.partner_of and any(t is None or t > day for _, _, t in m.partner_of):
            continue
        if abs(m.dob - mother.dob) > 14 * YEAR or day - m.dob < 18 * YEAR:
            continue
        if m.place_on(day) is None:
            continue
        if want_violent and "violent" not in m.flags:
            best = best or m
            continue
        return m
    return best


def _care(ch: Chunk, households: list[Household]) -> None:
    """A few children are looked after: in foster care with another family, or a children's home."""
    rng = ch.rng
    families = [h for h in households if h.kind in ("couple", "older_couple") and h.children == []]
    families = families or [h for h in households if h.kind == "couple"]
    home = None
    for h in households:
        for c in h.children:
            if rng.random() >= ch.cfg["care_rate"]:
                continue
            lo = max(ch.start_day - 700, c.dob + 30)
            hi = min(ch.end_day - 60, c.dob + 17 * YEAR)
            if hi <= lo:
                continue
            day = rng.randint(lo, hi)
            if c.place_on(day) is None:
                continue
            age = (day - c.dob) / YEAR
            if age >= 12 and rng.random() < 0.45:
                if home is None:
                    home = ch.special_place(
                        f"CH{ch.index:04d}",
                        "care_home",
                        rng.choice(
                            [
                                "The Willows",
                                "Oak House",
                                "Meadowview",
                                "Brookside",
                                "The Lodge",
                                "Elm Tree House",
                            ]
                        )
                        + " Children's Home",
                        0,
                    )
                place = home
            else:
                fh = rng.choice(families)
                place = fh.place
            move(ch, [c], place, day)
            c.flags.add("in_care")
            ch.care.append((c, day, place))
            if rng.random() < 0.35:
                back = day + rng.randint(90, 900)
                carer = next((x for x in c.parents if x.place_on(back) is not None), None)
                if back < ch.end_day and carer is not None:
                    move(ch, [c], carer.place_on(back), back)
                    ch.care_ends[c.tid] = back
