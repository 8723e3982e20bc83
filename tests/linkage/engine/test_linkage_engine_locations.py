"""Location matching: UPRN, else normalised address and postcode; vague places stay apart."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

from safeguard.linkage.engine.feedfile import read_lines
from safeguard.linkage.engine.locations import (
    is_full_postcode,
    is_specific,
    match_locations,
    normalise_address,
    normalise_postcode,
)

EXAMPLE = Path(__file__).resolve().parents[4] / "shared" / "examples" / "maple-road.jsonl"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2/10 Mill St", "Flat 2, 10 Mill Street"),
        ("14 Maple Rd, Kettering", "14 MAPLE ROAD"),
        ("7 Orchard Cl, Corby", "7 Orchard Close, Corby, NN17 2QT"),
        ("3 Elm Gr.", "3 elm grove"),
        ("Apt 4, 12 Kings Ave", "Flat 4 12 Kings Avenue"),
        ("5 Queens Cres", "5 Queens Crescent"),
        ("9 Park Dr", "9 Park Drive"),
        ("1 Rose Hse, Station Sq", "1 Rose House Station Square"),
        ("22 Meadow Gdns", "22 Meadow Gardens"),
        ("8 Albert Terr", "8 Albert Terrace"),
        ("6 Church Ln", "6  church  lane"),
        ("4 Manor Pl", "4 Manor Place"),
        ("10 Victoria Ct", "10 Victoria Court"),
        ("12 Highfield Pk", "12 Highfield Park"),
        ("6 Mill La", "6 Mill Lane"),
        ("3 Ivy Wlk", "3 Ivy Walk"),
    ],
)
def test_addresses_written_differently_normalise_the_same(a: str, b: str) -> None:
    assert normalise_address(a, "NN16 8AB") == normalise_address(b, "NN16 8AB")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("14 Maple Road", "16 Maple Road"),
        ("Flat 2, 10 Mill St", "Flat 3, 10 Mill St"),
        ("7 Orchard Close", "7 Orchard Road"),
    ],
)
def test_different_addresses_stay_different(a: str, b: str) -> None:
    assert normalise_address(a, None) != normalise_address(b, None)


def test_st_before_a_name_is_saint() -> None:
    assert normalise_address("10 St Johns Rd", None) == "10 saint johns road"
    assert normalise_address("10 Mill St", None) == "10 mill street"


def test_la_after_a_name_is_lane_and_first_in_a_name_a_word() -> None:
    assert normalise_address("6 Mill La", None) == "6 mill lane"
    assert normalise_address("10 La Rosa Close", None) == "10 la rosa close"


def test_postcodes() -> None:
    assert normalise_postcode(" nn16 8ab") == "NN168AB"
    assert is_full_postcode("NN16 8AB") and is_full_postcode("sw1a1aa") and is_full_postcode("GIR 0AA")
    assert not is_full_postcode("NN16") and not is_full_postcode("Kettering") and not is_full_postcode(None)


@pytest.mark.parametrize(
    ("address", "postcode", "uprn", "specific"),
    [
        ("14 Maple Road, Kettering", "NN16 8AB", None, True),
        ("Kettering area", None, None, False),
        ("NFA", None, None, False),
        ("Corby", "NN17 2QT", None, False),
        ("14 Maple Road", "NN16", None, False),
        ("14 Maple Road", None, None, False),
        ("Rose Cottage, Main Street", "NN14 1AA", None, False),
        ("somewhere", None, "100031234567", True),
    ],
)
def test_specific(address: str, postcode: str | None, uprn: str | None, specific: bool) -> None:
    assert is_specific(address, postcode, uprn) is specific


def places(rows: list[dict[str, object]]) -> set[frozenset[int]]:
    clusters = match_locations(pa.Table.from_pylist(rows))
    groups: dict[int, set[int]] = defaultdict(set)
    for rid, key in clusters.items():
        groups[key].add(rid)
    return {frozenset(g) for g in groups.values()}


def test_maple_road_places() -> None:
    rows, names = [], {}
    for i, line in enumerate((x for x in read_lines(EXAMPLE) if x["kind"] == "location"), start=1):
        rows.append(
            {
                "record_id": i,
                "address": line["address"],
                "postcode": line.get("postcode"),
                "uprn": line.get("uprn"),
            }
        )
        names[i] = f"{line['source']}/{line['id']}"
    named = {frozenset(names[i] for i in group) for group in places(rows)}
    assert frozenset({"csc/L1", "health/HL1"}) in named  # 14 Maple Road / 14 Maple Rd, nn168ab
    assert frozenset({"police/PL3", "visor/VL1"}) in named  # 7 Orchard Cl / 7 Orchard Close
    assert frozenset({"police/PL2"}) in named  # Kettering area
    assert frozenset({"csc/L3"}) in named  # 16 Maple Road
    assert len(named) == 7


def test_the_same_uprn_is_the_same_place_whatever_the_address() -> None:
    rows = [
        {"record_id": 1, "address": "14 Maple Road", "postcode": "NN16 8AB", "uprn": "100031234567"},
        {
            "record_id": 2,
            "address": "Ground floor flat, Maple House",
            "postcode": None,
            "uprn": "100031234567",
        },
    ]
    assert places(rows) == {frozenset({1, 2})}


def test_two_uprns_never_join_even_through_a_shared_address() -> None:
    rows = [
        {"record_id": 1, "address": "10 Mill Street", "postcode": "NN16 8AB", "uprn": "1001"},
        {"record_id": 2, "address": "10 Mill St", "postcode": "NN16 8AB", "uprn": "1002"},
        {"record_id": 3, "address": "10 Mill St.", "postcode": "NN16 8AB", "uprn": None},
    ]
    assert places(rows) == {frozenset({1}), frozenset({2}), frozenset({3})}


def test_vague_places_never_merge() -> None:
    rows = [
        {"record_id": 1, "address": "Kettering area", "postcode": None, "uprn": None},
        {"record_id": 2, "address": "Kettering area", "postcode": None, "uprn": None},
        {"record_id": 3, "address": "Maple Road", "postcode": "NN16 8AB", "uprn": None},
        {"record_id": 4, "address": "Maple Road", "postcode": "NN16 8AB", "uprn": None},
    ]
    assert places(rows) == {frozenset({1}), frozenset({2}), frozenset({3}), frozenset({4})}


def test_same_address_needs_the_same_postcode() -> None:
    rows = [
        {"record_id": 1, "address": "1 High Street", "postcode": "NN16 8AB", "uprn": None},
        {"record_id": 2, "address": "1 High Street", "postcode": "NN17 2QT", "uprn": None},
        {"record_id": 3, "address": "1 High St, Kettering", "postcode": "nn16 8ab", "uprn": None},
    ]
    assert places(rows) == {frozenset({1, 3}), frozenset({2})}
