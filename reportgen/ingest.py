"""Find a year's workbooks and read their sheets into plain tables.

Every file is untrusted: it is checked as a container (size, zip members, encryption) before
any reader touches it, and read with calamine, which runs no macro and resolves no entity.
Each row keeps the Excel row number it had, so every later problem can point at it.
"""

from __future__ import annotations

import logging
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from .model import Problem
from .text import header_key

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, slots=True)
class Limits:
    """Size bounds for untrusted files; both configurable from the command line."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_unpacked_bytes: int = 250 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # 0-based position in the sheet
    header: str  # as written
    key: str  # header_key(header)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Table:
    """One sheet: its header row and the non-empty rows below it, keyed by column key."""

    sheet: str
    header_row: int | None  # Excel row number; None when no row has two non-empty cells
    columns: tuple[Column, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]  # (Excel row, {column key: value})
    raw_rows: tuple[tuple[int, tuple[Any, ...]], ...] = field(default=())  # every non-empty row
    # Values standing in a column that has no header: (Excel row, 0-based column, value).
    stray: tuple[tuple[int, int, Any], ...] = field(default=())


@dataclass(frozen=True)
class Workbook:
    file: str  # relative to the year folder
    path: Path
    tables: dict[str, Table]  # keyed by header_key(sheet name)
    sheet_names: tuple[str, ...]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def find_workbooks(year_dir: Path) -> tuple[list[Path], list[Problem]]:
    """Every workbook under `year_dir` (subfolders included), sorted; lock and hidden files
    are skipped silently, other files with a warning."""
    paths: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(p for p in year_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(year_dir)
        if any(part.startswith((".", "~$")) for part in rel.parts):
            continue
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            paths.append(path)
        elif suffix == ".xls":
            problems.append(Problem("error", rel.as_posix(), None, None, None,
                "an old-format .xls workbook cannot be read: open it in Excel and save it as .xlsx"))
        else:
            problems.append(Problem("warning", rel.as_posix(), None, None, None,
                "not a workbook (.xlsx), skipped: only .xlsx files in this folder are read"))
    return paths, problems


def check_container(path: Path, rel: str, limits: Limits) -> Problem | None:
    """Refuse a file before reading it: too big, encrypted, not a zip, not a workbook,
    or a zip whose members would unpack beyond the limit (a zip bomb)."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return _file_error(rel, f"the file is {size / 1e6:.1f} MB, above the limit of "
                           f"{limits.max_file_bytes / 1e6:.1f} MB: remove unused sheets or images, "
                           "or raise the limit with --max-file-mb")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE_MAGIC:
        return _file_error(rel, "the workbook is password-protected (encrypted) or in the old "
                           ".xls format: remove the password to open and save it as .xlsx")
    if not zipfile.is_zipfile(path):
        return _file_error(rel, "not a readable Excel workbook (it is not an .xlsx file, or it "
                           "is truncated or corrupt): save it again from Excel as .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return _file_error(rel, f"the workbook is corrupt ({exc}): save it again from Excel as .xlsx")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return _file_error(rel, "a zip archive but not an Excel workbook: save it from Excel as .xlsx")
    if "xl/workbook.bin" in names:
        return _file_error(rel, "a binary workbook (.xlsb) cannot be read: save it as .xlsx")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        return _file_error(rel, f"the workbook would unpack to {unpacked / 1e6:.0f} MB, above the "
                           f"limit of {limits.max_unpacked_bytes / 1e6:.0f} MB (a damaged or hostile "
                           "file): refused unread; raise --max-unpacked-mb if it is genuine")
    return None


def read_workbook(path: Path, rel: str, limits: Limits) -> tuple[Workbook | None, list[Problem]]:
    """Read every sheet of one workbook, or return the one error that makes it unreadable."""
    refused = check_container(path, rel, limits)
    if refused:
        return None, [refused]
    problems: list[Problem] = []
    if path.suffix.lower() == ".xlsm":
        problems.append(Problem("warning", rel, None, None, None,
            "a macro-enabled workbook (.xlsm): its values were read, its macros never run; "
            "please send a plain .xlsx next time"))
    try:
        sheets = _read_sheets(path)
    except Exception as exc:  # calamine and pandas raise many kinds for damaged files
        log.debug("reading %s failed", rel, exc_info=True)
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return None, problems + [_file_error(rel, f"cannot be read as a workbook ({reason}): "
                                             "open it in Excel and save it again as .xlsx")]
    tables: dict[str, Table] = {}
    for name, rows in sheets.items():
        key = header_key(name)
        if key in tables:
            problems.append(Problem("warning", rel, name, None, None,
                f"a second sheet named like '{tables[key].sheet}' was ignored: keep one sheet per name"))
            continue
        tables[key] = make_table(name, rows)
    return Workbook(rel, path, tables, tuple(sheets)), problems


def _read_sheets(path: Path) -> dict[str, list[tuple[int, tuple[Any, ...]]]]:
    import pandas as pd

    # na_filter=False: "n/a" or "NA" typed in a cell is text to report, not an empty cell.
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object,
                           na_filter=False)
    sheets: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    for name, frame in frames.items():
        rows = []
        # calamine keeps leading empty rows, so position + 1 is the Excel row number.
        for position, values in enumerate(frame.itertuples(index=False, name=None)):
            cleaned = tuple(clean_cell(v) for v in values)
            if any(v is not None for v in cleaned):
                rows.append((position + 1, cleaned))
        sheets[str(name)] = rows
    return sheets


def clean_cell(value: Any) -> Any:
    """None for empty cells; dates as ISO text; strings kept as written."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (int, float, bool)):
        return clean_cell(value.item())  # numpy scalars
    return value


def make_table(sheet: str, rows: list[tuple[int, tuple[Any, ...]]]) -> Table:
    """Find the header (first row with two non-empty cells) and key the rows below it."""
    header_at = next((i for i, (_, cells) in enumerate(rows)
                      if sum(c is not None for c in cells) >= 2), None)
    if header_at is None:
        return Table(sheet, None, (), (), tuple(rows))
    header_row, header_cells = rows[header_at]
    columns = tuple(
        Column(index, str(cell).strip(), header_key(str(cell)))
        for index, cell in enumerate(header_cells)
        if cell is not None
    )
    headed = {c.index for c in columns}
    body = []
    stray = []
    for excel_row, cells in rows[header_at + 1:]:
        record: dict[str, Any] = {}
        for c in columns:  # a header written twice: the first column counts
            record.setdefault(c.key, cells[c.index] if c.index < len(cells) else None)
        stray += [(excel_row, i, v) for i, v in enumerate(cells) if v is not None and i not in headed]
        if any(v is not None for v in record.values()):
            body.append((excel_row, record))
    return Table(sheet, header_row, columns, tuple(body), tuple(rows), tuple(stray))


def _file_error(rel: str, message: str) -> Problem:
    return Problem("error", rel, None, None, None, message)
