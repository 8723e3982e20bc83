"""A small generator of realistic UK partner-agency person records with known truth.

It exists to train the shipped model and to test the engine on the traps that FEBRL lacks:
nicknames, swapped and partial dates of birth, surname changes and double-barrelled names,
aliases, moves, twins, fathers and sons of the same name, and common names. (The project's own
force generator lives in `safeguard.synth`; this one only makes person records.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import accumulate

import pyarrow as pa

from .names import name_forms, nicknames

MALE = (
    "oliver george harry jack jacob noah charlie muhammad thomas oscar william james leo alfie henry "
    "joshua freddie archie ethan isaac alexander joseph edward samuel max daniel arthur lucas mohammed "
    "logan theo harrison benjamin mason sebastian finley adam dylan zachary riley teddy theodore david "
    "elijah jake toby louie reuben arlo hugo jaxon luca matthew harvey reggie michael tommy jenson ryan "
    "tyler liam kai callum connor lewis kieran jamie aaron nathan christopher andrew paul mark stephen "
    "richard robert peter anthony kevin gary craig darren lee wayne shaun dean carl neil simon ian "
    "martin john philip jason scott stuart sanjay ravi arjun omar bilal hassan ahmed kyle jordan"
).split()
FEMALE = (
    "olivia amelia isla ava mia ivy lily isabella rosie sophia grace willow freya florence emily ella "
    "poppy evie elsie charlotte evelyn sienna sofia daisy phoebe sophie alice harper matilda ruby emilia "
    "maya millie isabelle eva luna jessica elizabeth chloe layla esme imogen ellie holly megan lucy "
    "hannah amber jade leah abigail katie rebecca lauren bethany danielle natalie samantha stacey "
    "gemma kelly claire emma sarah laura rachel nicola joanne michelle lisa julie karen tracey donna "
    "amanda helen catherine victoria louise kirsty hayley zoe priya aisha fatima zara ayesha maryam "
    "margaret susan patricia deborah jacqueline christine"
).split()
SURNAMES = (
    "smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson thompson "
    "wright walker white edwards hughes green hall lewis harris clarke patel jackson wood turner martin "
    "cooper hill ward morris moore clark lee king baker harrison morgan allen james scott phillips "
    "watson davis parker price bennett young griffiths mitchell kelly cook carter richardson bailey "
    "collins bell shaw murphy miller cox richards khan marshall anderson simpson ellis adams singh "
    "begum wilkinson foster chapman powell webb rogers gray mason ali hunt hussain campbell matthews "
    "owen palmer holmes mills barnes knight lloyd butler russell barker fisher stevens jenkins murray "
    "dixon harvey graham pearson ahmed fletcher walsh kaur gibson howard andrews stewart elliott "
    "reynolds saunders payne fox ford pearce day brooks west lawrence cole atkinson bradley spencer "
    "gill dawson ball burton o'brien watts rose booth perry ryan grant wells armstrong francis rees "
    "hayes hart hudson newman barrett webster hunter gregory carr lowe page marsh riley dunn woods "
    "parsons berry stone reid holland hawkins harding porter robertson newton oliver reed kennedy "
    "williamson bird gardner shah dean lane cooke bates henderson parry burgess bishop walton burns "
    "nicholson shepherd ross cross long freeman warren nicholls hamilton byrne sutton mcdonald yates "
    "hodgson robson curtis hopkins o'connor harper coleman watkins moss mccarthy chambers o'neill "
    "griffin sharp hardy wheeler potter osborne johnston gordon doyle wallace george jordan "
    "hutchinson rowe burke may pritchard gilbert willis higgins read miles stevenson hammond arnold"
).split()
STREETS = (
    "maple oak elm station church mill park high victoria albert queens kings manor orchard meadow "
    "school green north south west london york chester windsor grange springfield richmond"
).split()
STREET_TYPES = ("road", "street", "close", "avenue", "lane", "drive", "grove", "crescent", "way", "court")
ABBREVIATED = {"road": "rd", "street": "st", "close": "cl", "avenue": "ave", "lane": "ln", "drive": "dr"}
DISTRICTS = ("NN15", "NN16", "NN17", "NN18", "NN8", "NN9", "NN10", "NN11", "LE16", "PE8")
SOURCES = ("police", "csc", "health", "education", "visor")
AS_OF = date(2026, 11, 1)


@dataclass
class Place:
    address: str
    postcode: str
    uprn: str


@dataclass
class Person:
    pid: int
    forename: str
    middle: str | None
    surname: str
    sex: str
    dob: date
    homes: list[Place]
    ids: dict[str, str] = field(default_factory=dict)
    local: dict[str, str] = field(default_factory=dict)
    maiden: str | None = None


@cache
def _cumulative(n: int, s: float) -> list[float]:
    return list(accumulate(1 / (i + 1) ** s for i in range(n)))


def _zipf(rng: random.Random, items: list[str], s: float = 1.0) -> str:
    """Common names are much more common: the i-th name has weight 1 / i**s."""
    return rng.choices(items, cum_weights=_cumulative(len(items), s))[0]


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pid = 0
        self.uprn = 100030000000
        self.serial = 0
        self.nicknames: dict[str, list[str]] = {}
        for nick_source in (MALE, FEMALE):
            for name in nick_source:
                self.nicknames[name] = []
        for nick, forms in ((n, name_forms(n)) for n in nicknames()):
            for formal in forms:
                if formal in self.nicknames and formal != nick:
                    self.nicknames[formal].append(nick)

    def place(self, district: str | None = None) -> Place:
        rng = self.rng
        self.uprn += rng.randint(1, 50)
        street = f"{rng.choice(STREETS).title()} {rng.choice(STREET_TYPES).title()}"
        number = str(rng.randint(1, 180))
        if rng.random() < 0.1:
            number = f"Flat {rng.randint(1, 12)}, {number}"
        district = district or rng.choice(DISTRICTS)
        postcode = f"{district} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return Place(
            f"{number} {street}, {rng.choice(['Kettering', 'Corby', 'Wellingborough'])}",
            postcode,
            str(self.uprn),
        )

    def identifier(self, kind: str) -> str:
        self.serial += 1
        rng = self.rng
        if kind == "nhs":
            return f"{rng.randint(400, 999)}{self.serial:07d}"
        if kind == "ni":
            return f"{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{self.serial:06d}{rng.choice('ABCD')}"
        if kind == "pnc":
            return f"{rng.randint(1995, 2026)}/{self.serial:07d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
        if kind == "cro":
            return f"{self.serial:06d}/{rng.randint(0, 99):02d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
        if kind == "upn":
            return f"{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{rng.randint(100, 999)}{self.serial:09d}"
        return f"VS-{self.serial:06d}"

    def person(
        self, sex: str, surname: str, dob: date, homes: list[Place], forename: str | None = None
    ) -> Person:
        rng = self.rng
        names = MALE if sex == "male" else FEMALE
        first = forename or _zipf(rng, names, 0.6)
        middle = _zipf(rng, names, 0.6) if rng.random() < 0.55 else None
        if middle == first:
            middle = None
        self.pid += 1
        p = Person(self.pid, first, middle, surname, sex, dob, homes)
        age = (AS_OF - dob).days / 365.25
        p.ids["nhs"] = self.identifier("nhs")
        if age >= 16 and rng.random() < 0.8:
            p.ids["ni"] = self.identifier("ni")
        if 4 <= age < 19:
            p.ids["upn"] = self.identifier("upn")
        if age >= 12 and rng.random() < (0.18 if sex == "male" else 0.06):
            p.ids["pnc"] = self.identifier("pnc")
            if rng.random() < 0.6:
                p.ids["cro"] = self.identifier("cro")
            if age >= 18 and sex == "male" and rng.random() < 0.08:
                p.ids["visor"] = self.identifier("visor")
        return p

    def household(self) -> list[Person]:
        rng = self.rng
        home = self.place()
        homes = [home]
        if rng.random() < 0.4:  # moved: often nearby
            homes.insert(0, self.place(home.postcode.split()[0] if rng.random() < 0.5 else None))
        surname = _zipf(rng, SURNAMES, 0.9)
        if rng.random() < 0.04:
            surname = f"{surname}-{_zipf(rng, SURNAMES, 0.9)}"
        mother_dob = AS_OF - timedelta(days=rng.randint(19 * 365, 60 * 365))
        people = []
        mother = self.person("female", surname, mother_dob, homes)
        if rng.random() < 0.5:
            mother.maiden = _zipf(rng, SURNAMES, 0.9)
        people.append(mother)
        father = None
        if rng.random() < 0.65:
            father_dob = mother_dob + timedelta(days=rng.randint(-6 * 365, 3 * 365))
            father = self.person("male", surname, min(father_dob, AS_OF - timedelta(days=18 * 365)), homes)
            people.append(father)
        taken: set[str] = set()  # brothers and sisters get different names (but see junior)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            dob = mother_dob + timedelta(days=rng.randint(17 * 365, 40 * 365))
            if dob > AS_OF:
                continue
            for _twin in range(2 if rng.random() < 0.015 else 1):  # twins: same day, different names
                sex = rng.choice(["male", "female"])
                if (
                    father is not None
                    and sex == "male"
                    and father.forename not in taken
                    and rng.random() < 0.08
                ):
                    child = self.person(sex, surname, dob, homes, father.forename)  # a junior
                else:
                    child = self.person(sex, surname, dob, homes)
                    while name_forms(child.forename) & taken:
                        child.forename = _zipf(rng, MALE if sex == "male" else FEMALE, 0.6)
                taken |= name_forms(child.forename)
                people.append(child)
        return people


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.3:
        return word[:i] + word[i + 1 :]
    if op < 0.6:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op < 0.8:
        return word[:i] + rng.choice("aeiou") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _cased(rng: random.Random, word: str, source: str) -> str:
    return word.upper() if source == "police" and rng.random() < 0.7 else word.title()


def _dob_text(rng: random.Random, dob: date) -> str | None:
    r = rng.random()
    if r < 0.04:
        return None
    if r < 0.07:
        return f"{dob.year:04d}"
    if r < 0.10:
        return f"{dob.year:04d}-{dob.month:02d}"
    if r < 0.13 and dob.day <= 12 and dob.day != dob.month:
        return f"{dob.year:04d}-{dob.day:02d}-{dob.month:02d}"
    if r < 0.15:
        return (dob + timedelta(days=rng.choice([-2, -1, 1, 2, 7]))).isoformat()
    if r < 0.18:
        text = f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
        i = rng.choice([2, 3, 7])
        digit = str((int(text[i]) + rng.choice([1, -1])) % 10)
        text = text[:i] + digit + text[i + 1 :]
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
        if 1 <= m <= 12 and 1 <= d <= 28:
            return f"{y:04d}-{m:02d}-{d:02d}"
    return dob.isoformat()


def _identifier_for(rng: random.Random, p: Person, source: str) -> dict[str, str]:
    want = {
        "health": {"nhs": 0.95},
        "csc": {"nhs": 0.5, "upn": 0.2},
        "education": {"upn": 0.9, "nhs": 0.15},
        "police": {"pnc": 0.9, "cro": 0.5, "ni": 0.2},
        "visor": {"visor": 1.0, "pnc": 0.9},
    }[source]
    out = {}
    for kind, prob in want.items():
        if kind in p.ids and rng.random() < prob:
            value = p.ids[kind]
            if rng.random() < 0.005:
                value = _typo(rng, value)
            out[kind] = value
    return out


def _sources_for(rng: random.Random, p: Person) -> list[str]:
    age = (AS_OF - p.dob).days / 365.25
    chances = {
        "health": 0.75,
        "csc": 0.35 if age < 18 else 0.15,
        "education": 0.9 if 2 <= age < 19 else 0.0,
        "police": 0.9 if "pnc" in p.ids else (0.2 if age >= 12 else 0.0),
        "visor": 1.0 if "visor" in p.ids else 0.0,
    }
    chosen = [s for s, prob in chances.items() if rng.random() < prob]
    if rng.random() < 0.06 and chosen:
        chosen.append(rng.choice(chosen))  # a duplicate inside one source
    return chosen or [rng.choice(["health", "police"])]


def _record(g: _Generator, rid: int, p: Person, source: str) -> dict[str, object]:
    rng = g.rng
    first = p.forename
    r = rng.random()
    if r < 0.15 and g.nicknames.get(first):
        first = rng.choice(g.nicknames[first])
    elif r < 0.19:
        first = _typo(rng, first)
    elif r < 0.21 and p.middle:
        first = p.middle
    if rng.random() < 0.01:
        first = first[0]
    given = first
    if p.middle and first != p.middle and rng.random() < 0.5:
        r = rng.random()
        given = f"{first} {p.middle[0] if r < 0.08 else _typo(rng, p.middle) if r < 0.11 else p.middle}"
    surname = p.surname
    aliases: list[dict[str, str | None]] = []
    if p.maiden and rng.random() < 0.15:
        surname = p.maiden
    elif "-" in surname and rng.random() < 0.3:
        surname = rng.choice(surname.split("-"))
    elif rng.random() < 0.04:
        surname = _typo(rng, surname)
    if source == "police" and rng.random() < 0.15:
        alias_surname = p.maiden or _typo(rng, p.surname)
        aliases.append({"given_names": p.forename.title(), "family_name": alias_surname.title()})
    if rng.random() < 0.005:  # forename and surname the wrong way round
        given, surname = surname, given.split()[0]
    sex = p.sex if rng.random() > 0.05 else "unknown"
    r = rng.random()
    places = [] if r < 0.05 else [p.homes[-1]] if r < 0.7 else [p.homes[0]] if r < 0.9 else p.homes
    return {
        "record_id": rid,
        "source": source,
        "given_names": " ".join(_cased(rng, t, source) for t in given.split())
        if rng.random() > 0.01
        else None,
        "family_name": _cased(rng, surname, source),
        "aliases": aliases,
        "dob": _dob_text(rng, p.dob),
        "sex": sex,
        **_identifier_for(rng, p, source),
        "local": p.local.get(source) if source in ("csc", "police") else None,
        "postcodes": [_postcode_variant(rng, pl.postcode) for pl in places],
        "uprns": [pl.uprn for pl in places if rng.random() < 0.5],
        "addresses": [_address_variant(rng, pl) for pl in places],
    }


def _postcode_variant(rng: random.Random, postcode: str) -> str:
    if rng.random() < 0.01:
        return postcode[:-1] + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
    return postcode


def _address_variant(rng: random.Random, place: Place) -> str:
    from .locations import address_key

    text = place.address
    for full, short in ABBREVIATED.items():
        if rng.random() < 0.5:
            text = text.replace(full.title(), short.title())
    if text.startswith("Flat") and rng.random() < 0.15:
        text = text.split(", ", 1)[1]
    elif rng.random() < 0.02 and text.split(" ", 1)[0].isdigit():
        number, rest = text.split(" ", 1)
        text = f"{int(number) + rng.choice([1, 2, 10])} {rest}"
    return address_key(text, place.postcode) or ""


RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("source", pa.string()),
        ("given_names", pa.string()),
        ("family_name", pa.string()),
        ("aliases", pa.list_(pa.struct([("given_names", pa.string()), ("family_name", pa.string())]))),
        ("dob", pa.string()),
        ("sex", pa.string()),
        ("nhs", pa.string()),
        ("pnc", pa.string()),
        ("cro", pa.string()),
        ("upn", pa.string()),
        ("ni", pa.string()),
        ("visor", pa.string()),
        ("local", pa.string()),
        ("postcodes", pa.list_(pa.string())),
        ("uprns", pa.list_(pa.string())),
        ("addresses", pa.list_(pa.string())),
        ("person_id", pa.int64()),
    ]
)


def generate(people: int = 20000, seed: int = 1, first_record_id: int = 1) -> pa.Table:
    """Person records for about `people` people; `person_id` holds the truth (drop it before matching)."""
    g = _Generator(seed)
    persons: list[Person] = []
    while len(persons) < people:
        persons.extend(g.household())
    rows = []
    rid = first_record_id
    for p in persons[:people]:
        for source in _sources_for(g.rng, p):
            if source not in p.local or g.rng.random() < 0.5:
                p.local[source] = f"{source[0].upper()}{rid:07d}"
            row = _record(g, rid, p, source)
            row["person_id"] = p.pid
            rows.append(row)
            rid += 1
    g.rng.shuffle(rows)
    return pa.Table.from_pylist(rows, schema=RECORD_SCHEMA)
