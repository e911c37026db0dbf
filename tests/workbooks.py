"""Make small workbooks in code for tests: {sheet name: rows}, each row a list of cell values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

KPI_HEADER = ["Output", "KPI", "Unit", "Baseline", "Target", "Actual", "Direction", "Comment"]


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
    return [["Bureau", bureau], ["Year", year], ["Prepared by", "Test unit"],
            ["Date", f"{year + 1}-01-15"], ["Data status", status]]
