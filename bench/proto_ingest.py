"""A proposal for reportgen/ingest.py, measured by bench/measure.py (`ingest --reader calamine`):
read the sheets with python-calamine directly instead of through pandas.read_excel.

`read_sheets_direct` returns exactly what `ingest._read_sheets` returns (bench/run.py checks
this on every synthetic workbook and on the samples before timing it), without pandas: no
0.3 s import in every build, and no DataFrame per sheet (half the reading time per workbook).
calamine keeps leading empty rows and columns with `skip_empty_area=False`, so the position in
the list is still the Excel row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_sheets_direct(path: Path) -> dict[str, list[tuple[int, tuple[Any, ...]]]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    from reportgen.ingest import clean_cell

    sheets: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    with CalamineWorkbook.from_path(str(path)) as workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = []
            for position, values in enumerate(workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)):
                cleaned = tuple(clean_cell(v) for v in values)
                if any(v is not None for v in cleaned):
                    rows.append((position + 1, cleaned))
            sheets[str(meta.name)] = rows
    return sheets


def use_direct_reader() -> None:
    """In this (bench) process and the workers it forks: ingest reads with `read_sheets_direct`."""
    from reportgen import ingest

    ingest._read_sheets = read_sheets_direct  # noqa: SLF001  (a measurement of a proposal, never shipped)


def same_as_ingest(paths: list[Path]) -> list[str]:
    """Files for which the direct reader would give another result than ingest's own."""
    from reportgen import ingest

    return [str(p) for p in paths if read_sheets_direct(p) != ingest._read_sheets(p)]  # noqa: SLF001
