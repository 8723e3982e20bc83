"""A dashboard's tables as CSV or as an Excel workbook (one sheet a table), each export a
disclosure in the audit trail (DPA 2018 s62): who took which figures, as of when, filtered how."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from safeguard.audit_trail.services import Action, audit_log

from .board import Board
from .filters import Filters

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _heading(board: Board, filters: Filters) -> list[str]:
    return [board.title, f"As of {filters.moment.isoformat()}", filters.period_label,
            f"Area: {filters.area or 'all'}", f"Team: {filters.team or 'all'}"]


def _csv(board: Board, filters: Filters) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_heading(board, filters))
    for table in board.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_safe(row.label), *[cell.value if cell.value is not None else "" for cell in row.cells]])
    return out.getvalue().encode("utf-8-sig")  # the byte-order mark makes Excel read UTF-8


def _xlsx(board: Board, filters: Filters) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in board.tables:
        sheet = book.create_sheet(table.title[:31].replace("/", " ").replace(":", " "))
        sheet.append(_heading(board, filters))
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([_safe(row.label), *[cell.value for cell in row.cells]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    """Labels come from data (team and organisation names): a leading =, +, - or @ would run as a
    formula in a spreadsheet (CSV injection), so such a label is quoted."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def export(*, board: Board, filters: Filters, fmt: str, actor) -> bytes:
    """The file's bytes; writes the disclosure entry."""
    if fmt not in FORMATS:
        raise ValueError(f'"{fmt}" is not an export format: use csv or xlsx')
    data = _csv(board, filters) if fmt == "csv" else _xlsx(board, filters)
    audit_log(actor=actor, action=Action.DISCLOSURE, object_type="oversight_dashboard", object_ids=[board.page],
              recipient=actor.get_username(),
              details={"format": fmt, "as_of": filters.moment.isoformat(), "period": filters.period,
                       "area": filters.area, "team": filters.team, "tables": [t.key for t in board.tables]})
    return data
