"""Make small workbooks in code for tests: {sheet name: rows}, each row a list of cell values.
The headers are the format's (reportgen/format.py), in its order, so positional rows line up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen import format

KPI_HEADER = list(format.KPIS.headers())
FINANCE_HEADER = list(format.FINANCE.headers())
PROPOSALS_HEADER = list(format.PROPOSALS.headers())
HIGHLIGHTS_HEADER = list(format.HIGHLIGHTS.headers())


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def about(bureau: str, year: int, status: str = "final") -> list[list[Any]]:
    values = {"bureau": bureau, "year": year, "prepared_by": "Test unit", "date": f"{year + 1}-01-15",
              "data_status": status}
    return [[column.header, values[column.field]] for column in format.ABOUT.columns if column.field in values]
