"""The fictional force area: real North Northamptonshire-like town names and postcode districts,
fictional streets, and how each agency spells an address.

Dwellings are numbered globally; ``dwelling_address(d)`` maps a dwelling number to its street,
house or flat number, postcode and UPRN without any table, so every generator chunk can use its
own block of dwellings with no shared state. The street universe is fixed (not seeded), so the
same dwelling number is always the same address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# town, postcode districts, relative size (population, thousands, rounded)
TOWNS = [
    ("Kettering", ["NN15", "NN16"], 62),
    ("Corby", ["NN17", "NN18"], 61),
    ("Wellingborough", ["NN8", "NN8"], 50),
    ("Rushden", ["NN10"], 31),
    ("Desborough", ["NN14"], 11),
    ("Rothwell", ["NN14"], 8),
    ("Burton Latimer", ["NN15"], 8),
    ("Raunds", ["NN9"], 9),
    ("Irthlingborough", ["NN9"], 9),
    ("Higham Ferrers", ["NN10"], 8),
    ("Thrapston", ["NN14"], 6),
    ("Oundle", ["PE8"], 6),
]

_PREFIXES = """Maple Birch Elm Orchard Mill Station Church Chapel Meadow Willow Hazel Rowan Beech Ash Oak
Cedar Larch Holly Ivy Laurel Poplar Sycamore Hawthorn Blackthorn Bramble Heather Foxglove Primrose
Bluebell Kingfisher Heron Swallow Wren Robin Lark Linnet Falcon Kestrel Merlin Osprey Brook River
Spring Well Pond Ford Bridge Castle Abbey Priory Manor Grange Hall Park Green Common Field Furlong
Headland Hill Ridge Vale Dale Windmill Tannery Forge Foundry Kiln Brickyard Quarry Ironstone Furnace
Cobbler Boot Lace Weaver Tanner Saxon Danes Roman Tudor Stuart Victoria Albert Alexandra Queen King
Prince Regent Nelson Wellington Cromwell Newton Darwin Faraday Brunel Stephenson Telford Wordsworth
Tennyson Shelley Keats Byron Milton Chaucer Dryden Clare Ise Nene Welland Harpers Cranford Geddington
Weekley Warkton Brigstock Stanion Weldon Gretton Cottingham Rockingham Deene Lyveden Oakley Pytchley
Broughton Cransley Orlingbury Finedon Isham Barton Grafton Sywell Wilby Ecton Bozeat Chelveston
Stanwick Ringstead Denford Woodford Twywell Islip Titchmarsh Aldwincle Lowick Sudborough Benefield
Glapthorn Polebrook Warmington Tansor Cotterstock Apethorpe Kingscliffe Blatherwycke Laxton Harringworth
Seaton Wakerley Fineshade Bulwick Southwick Morehay Corn Barley Wheat Hayfield Pasture Harvest Shepherd
Drovers Pinfold Coppice Spinney Thicket Warren Burrow Badger Otter Fox Hare Deer Stag Hind Falconers
Juniper Rosemary Lavender Thyme Sorrel Clover Tansy Yarrow Teasel Cowslip Celandine Campion Sorrel""".split()

# (full type, the abbreviations clerks use for it)
STREET_TYPES = [
    ("Road", ["Rd", "Rd."], 20),
    ("Street", ["St", "St."], 14),
    ("Close", ["Cl", "Cl."], 14),
    ("Avenue", ["Ave", "Av"], 8),
    ("Drive", ["Dr", "Drv"], 8),
    ("Lane", ["Ln", "La"], 8),
    ("Way", ["Wy"], 6),
    ("Crescent", ["Cres", "Cresc"], 6),
    ("Grove", ["Gr", "Gro"], 4),
    ("Court", ["Ct"], 4),
    ("Place", ["Pl"], 3),
    ("Gardens", ["Gdns"], 3),
    ("Walk", ["Wlk"], 2),
    ("Rise", ["Rise"], 2),
    ("Square", ["Sq"], 1),
    ("Mews", ["Mews"], 1),
    ("Terrace", ["Terr", "Ter"], 2),
]

BLOCK = 25  # dwellings per street block
N_STREETS = 6000


@dataclass(frozen=True, slots=True)
class Street:
    name: str  # e.g. "Maple"
    stype: int  # index into STREET_TYPES
    town: int  # index into TOWNS
    district: str
    flats: bool

    @property
    def full(self) -> str:
        return f"{self.name} {STREET_TYPES[self.stype][0]}"


_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _build_streets() -> tuple[list[Street], list[str]]:
    rng = random.Random(20260101)  # fixed: the area is the same for every seed
    town_w = [t[2] for t in TOWNS]
    type_w = [t[2] for t in STREET_TYPES]
    seen: set[tuple[str, int, int]] = set()
    streets: list[Street] = []
    while len(streets) < N_STREETS:
        name = rng.choice(_PREFIXES)
        stype = rng.choices(range(len(STREET_TYPES)), type_w)[0]
        town = rng.choices(range(len(TOWNS)), town_w)[0]
        if (name, stype, town) in seen:
            continue
        seen.add((name, stype, town))
        district = rng.choice(TOWNS[town][1])
        flats = rng.random() < 0.12
        streets.append(Street(name, stype, town, district, flats))
    # postcodes: unique per street (and per half-street for long ones), within the district
    counters: dict[str, int] = {}
    postcodes = []
    for s in streets:
        k = counters.get(s.district, 0)
        counters[s.district] = k + 1
        sector = 1 + k % 9
        unit = _LETTERS[(k // 9) % 20] + _LETTERS[(k // 180 + k) % 20]
        postcodes.append(f"{s.district} {sector}{unit}")
    return streets, postcodes


STREETS, POSTCODES = _build_streets()


@dataclass(slots=True)
class Address:
    dwelling: int
    number: int  # house number, or building number for a flat
    flat: int  # 0 when not a flat
    street: Street
    postcode: str
    uprn: str


def dwelling_address(d: int) -> Address:
    b, j = divmod(d, BLOCK)
    lap, s = divmod(b, N_STREETS)
    street = STREETS[s]
    if street.flats:
        number = lap * 5 + j // 5 + 1
        flat = j % 5 + 1
        number = number * 2 + 8  # blocks of flats are at even numbers from 10
    else:
        number = lap * BLOCK + j + 1
        flat = 0
    pc = POSTCODES[s]
    if lap % 2:  # a long street has two postcodes
        pc = pc[:-1] + _LETTERS[(_LETTERS.index(pc[-1]) + 7) % 20]
    uprn = str(100_030_000_000 + d * 3 + 1)
    return Address(d, number, flat, street, pc, uprn)


def town_name(addr: Address) -> str:
    return TOWNS[addr.street.town][0]


def format_address(addr: Address, rng: random.Random, style: str) -> tuple[str, str | None]:
    """The address line and postcode as one agency would record them.

    ``style``: ``clean`` (register-quality), ``clerk`` (abbreviations, case, flat notation),
    ``messy`` (also missing town, a typo now and then, postcode spacing and case).
    """
    st = addr.street
    full_type, abbrevs, _ = STREET_TYPES[st.stype]
    stype = full_type
    town = TOWNS[st.town][0]
    pc: str | None = addr.postcode
    r = rng.random
    if style != "clean":
        if r() < 0.45:
            stype = rng.choice(abbrevs)
        if style == "messy" and r() < 0.03:
            stype = full_type.lower()
    sname = st.name
    if style == "messy" and r() < 0.02 and len(sname) > 4:
        i = rng.randrange(1, len(sname) - 2)
        sname = sname[:i] + sname[i + 1] + sname[i] + sname[i + 2 :]
    if addr.flat:
        forms = ["Flat {f}, {n} {s}", "{f}/{n} {s}", "Flat {f} {n} {s}", "{n}/{f} {s}"]
        form = forms[0] if style == "clean" else rng.choices(forms, [5, 3, 2, 0.3])[0]
        line = form.format(f=addr.flat, n=addr.number, s=f"{sname} {stype}")
    else:
        line = f"{addr.number} {sname} {stype}"
    if style == "messy" and r() < 0.15:
        pass  # no town
    else:
        line = f"{line}, {town}" if r() < 0.85 or style == "clean" else f"{line} {town}"
    if style != "clean":
        x = r()
        if x < 0.15:
            pc = pc.replace(" ", "")
        elif x < 0.22:
            pc = pc.lower()
        elif x < 0.25:
            pc = pc.replace(" ", "").lower()
        if style == "messy":
            if r() < 0.08:
                pc = None
            if r() < 0.04:
                line = line.upper()
    return line, pc


# Places that are not dwellings -----------------------------------------------------------

SCHOOL_WORDS = _PREFIXES[:120]


def school_name(k: int, phase: str) -> tuple[str, int]:
    """A stable school name and town for school number ``k`` of a phase (primary/secondary/nursery)."""
    rng = random.Random(f"school-{phase}-{k}")
    town = rng.choices(range(len(TOWNS)), [t[2] for t in TOWNS])[0]
    word = rng.choice(SCHOOL_WORDS)
    if phase == "primary":
        kind = rng.choice(
            [
                "Primary School",
                "Primary Academy",
                "Church of England Primary School",
                "Junior School",
                "Infant and Nursery School",
            ]
        )
        return f"{word} {kind}", town
    if phase == "secondary":
        kind = rng.choice(["Academy", "School", "Community College", "High School"])
        name = f"{TOWNS[town][0]} {kind}" if k < len(TOWNS) else f"{word} {kind}"
        return name, town
    kind = rng.choice(["Nursery", "Day Nursery", "Pre-School", "Little Stars Nursery", "Tots Nursery"])
    return f"{word} {kind}", town


VAGUE_AREAS = [
    "{town} area",
    "{town}",
    "NFA",
    "No fixed abode",
    "Various addresses, {town}",
    "c/o friends, {town}",
    "{town} town centre",
]
