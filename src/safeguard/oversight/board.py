"""What a dashboard page is made of: tables of figures, each count backed by the list of rows
that make it up, and charts drawn from the same figures.

A count is never computed apart from its rows: `Board.count(code, items)` files the rows under
the figure's code and returns a cell whose value is their number, so the drill-down list (the
rows filed under the code) and the number shown cannot disagree. Where the database counts
(`Board.counted`), the rows are the same filter as a queryset (`Queried`), whose length is
counted again from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Item:
    """One row behind a figure: a fed record, an alert, an investigation or a partner referral."""

    kind: str  # "record", "alert", "investigation", "referral"
    pk: int
    reference: str
    what: str
    when: dt.datetime | None
    detail: str = ""


class Filed(Sequence):
    """Rows behind a figure, made into `Item`s only when read: a dashboard counts tens of
    thousands of alerts at each of its trend's twelve points, and lists only the page asked for."""

    def __init__(self, rows: list[Any], to_item: Callable[[Any], Item]):
        self._rows, self._to_item = rows, to_item

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._to_item(row) for row in self._rows[index]]
        return self._to_item(self._rows[index])


class Queried(Sequence):
    """Rows behind a figure that the database counted: the rows of a queryset, read a page at a
    time. Its length is counted again from the queryset, not copied from the figure, so a test
    that compares the two proves the figure's count and its list agree."""

    def __init__(self, queryset, to_item: Callable[[Any], Item]):
        self._queryset, self._to_item = queryset, to_item

    def __len__(self) -> int:
        return self._queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._to_item(row) for row in self._queryset[index]]
        return self._to_item(self._queryset[index])

    def __iter__(self):
        yield from self[:]


@dataclass(frozen=True)
class Cell:
    value: int | float | str | None
    #: the figure's code when the value is a count (or a figure computed over a list): the drill-down
    code: str = ""
    is_count: bool = False


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    #: a chart drawn from this table: (type, the columns plotted by index)
    chart: tuple[str, tuple[int, ...]] | None = None
    stacked: bool = False


@dataclass
class Board:
    page: str
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items: dict[str, Sequence[Item]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def count(self, code: str, label: str, items: Sequence[Item]) -> Cell:
        """File the rows behind a figure under its code; the cell shows how many there are."""
        self.items[code] = items
        self.labels[code] = label
        return Cell(len(items), code, True)

    def counted(self, code: str, label: str, value: int, items: Queried) -> Cell:
        """A count made by the database, with the queryset of the rows it counted."""
        self.items[code] = items
        self.labels[code] = label
        return Cell(value, code, True)

    def file(self, code: str, label: str, items: Sequence[Item]) -> None:
        """File rows that a computed figure is over but that have no count of their own."""
        self.items[code] = items
        self.labels[code] = label

    def over(self, code: str, value: float | str | None) -> Cell:
        """A figure computed over the rows already filed under `code` (a share, a median)."""
        return Cell(value, code if code in self.items else "", False)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def chart_data(self) -> list[dict]:
        """Chart.js configurations for the tables that have a chart (json_script on the page)."""
        out = []
        for table in self.tables:
            if table.chart is None:
                continue
            kind, columns = table.chart
            out.append({
                "id": f"chart-{table.key}", "type": kind, "stacked": table.stacked,
                "labels": [row.label for row in table.rows],
                "datasets": [{"label": table.columns[i + 1],
                              "data": [_number(row.cells[i].value) for row in table.rows]} for i in columns],
            })
        return out


def _number(value) -> float | None:
    return value if isinstance(value, int | float) else None


def share(part: int, whole: int) -> float | None:
    """A percentage to one decimal place; none of nothing."""
    return round(100 * part / whole, 1) if whole else None


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    value = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(value, 1)
