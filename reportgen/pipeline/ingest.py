"""Find a year's workbooks and read their sheets into plain tables.

Every file is untrusted: `xlsxscan` checks it as a container (size, zip members, encryption,
declared and actual unpacked size) and scans its XML (no DOCTYPE or entity, no sheet spanning
an area too big to allocate) before any reader touches it; it is then read with calamine, which
runs no macro and resolves no entity. Each row keeps the Excel row number it had, so every
later problem can point at it. What only the XML shows (formulas saved without a computed
value, Excel error values, merged cells) comes back as problems at their cells, with the
column's header.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import zip_longest
from pathlib import Path
from typing import Any

from reportgen import format
from reportgen.bureau import xlsxscan
from reportgen.format import Severity
from reportgen.model import Problem
from reportgen.util.text import header_key
from reportgen.bureau.xlsxscan import OLE_MAGIC, Limits, Refused  # noqa: F401  (Limits is part of this module's API)

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# The sheets the report reads (contract section 2). Cell problems found in the XML of other
# sheets are not reported: validate already says that their content is ignored.
READ_SHEETS = format.SHEET_NAMES
# Files of a year folder that are not returns and are read by the build on their own (contract 8.3).
SECRETARIAT_FILES = frozenset({"secretariat.yaml"})
_READ_KEYS = set(format.SHEETS_BY_KEY)
_DATA_KEYS = {sheet.key for sheet in format.DATA_SHEETS}  # the sheets read by their header row
# What a directory entry that is not a regular file is, for the warning that skips it.
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


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
    """One sheet: its header row and the non-empty rows below it, column by column.

    `cells` holds, for each column key, the values of the body rows from top to bottom;
    `row_numbers` their Excel rows. Kept by column, as the KPIs sheets are checked (whole
    columns at once) and as a worker sends them back (a fifth of the bytes of a dict per row).
    A row with a cell that cannot be read (a formula saved without its value, an Excel error
    such as #DIV/0!) is left out of the body, kept in `raw_rows`, and reported as an error."""

    sheet: str
    header_row: int | None  # Excel row number; None when no row has two non-empty cells
    columns: tuple[Column, ...]
    row_numbers: tuple[int, ...] = ()  # Excel row of each body row
    # {column key: the body rows' values}, a header written twice: its first column.
    cells: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    raw_rows: tuple[tuple[int, tuple[Any, ...]], ...] = field(default=())  # every non-empty row
    # Values standing in a column that has no header: (Excel row, 0-based column, value).
    stray: tuple[tuple[int, int, Any], ...] = field(default=())

    @property
    def rows(self) -> tuple[tuple[int, dict[str, Any]], ...]:
        """(Excel row, {column key: value}) for each body row: the small sheets are read so."""
        keys = tuple(self.cells)
        return tuple((number, dict(zip(keys, values)))
                     for number, values in zip(self.row_numbers, zip(*self.cells.values())))


@dataclass(frozen=True)
class Workbook:
    file: str  # relative to the year folder
    path: Path
    tables: dict[str, Table]  # keyed by header_key(sheet name)
    sheet_names: tuple[str, ...]


column_letter = xlsxscan.column_letter  # 0 -> A, 26 -> AA


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A workbook to read, with its size as found (links followed)."""

    path: Path
    rel: str  # relative to the year folder, as problems name it
    size: int


def find_returns(year_dir: Path, limits: Limits | None = None) -> tuple[list[FoundFile], list[Problem]]:
    """Every workbook under `year_dir` (subfolders included), sorted, with its size; lock and
    hidden files are skipped silently, everything else that is not read gets a problem:
    another kind of file, a link that leads nowhere or to a device, a named pipe, and a
    workbook above the size limit (refused here, from its size alone, before anything opens,
    reads or hashes it: a link to a 30 GB sparse file costs one stat)."""
    limits = limits or Limits()
    found: list[FoundFile] = []
    problems: list[Problem] = []
    for path in sorted(year_dir.rglob("*")):
        rel_path = path.relative_to(year_dir)
        if any(part.startswith((".", "~$")) for part in rel_path.parts):
            continue
        if rel_path.as_posix() in SECRETARIAT_FILES:  # the General Secretariat's own inputs, read apart
            continue
        rel = rel_path.as_posix()
        try:
            info = path.stat()  # follows links: what a reader would open
        except OSError as exc:
            if path.is_symlink():
                target = os.readlink(path)
                problems.append(Problem(Severity.WARNING, rel, None, None, None,
                    f"a link to '{target}', which does not exist, skipped: put the workbook itself in the folder"))
            else:
                problems.append(Problem(Severity.WARNING, rel, None, None, None,
                    f"cannot be looked at ({exc.strerror or exc}), skipped: check the file's permissions"))
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            via = f"a link to {os.readlink(path)}, " if path.is_symlink() else ""
            problems.append(Problem(Severity.WARNING, rel, None, None, None,
                f"{via}{kind}, not a file: skipped; put the workbook itself in the folder"))
            continue
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            refusal = xlsxscan.size_refusal(info.st_size, limits)
            if refusal:
                problems.append(_file_error(rel, refusal))
            else:
                found.append(FoundFile(path, rel, info.st_size))
        elif suffix == ".xls":
            problems.append(Problem(Severity.ERROR, rel, None, None, None,
                "an old-format .xls workbook cannot be read: open it in Excel and save it as .xlsx"))
        else:
            problems.append(Problem(Severity.WARNING, rel, None, None, None,
                "not a workbook (.xlsx), skipped: only .xlsx files in this folder are read"))
    return found, problems


def find_workbooks(year_dir: Path, limits: Limits | None = None) -> tuple[list[Path], list[Problem]]:
    """`find_returns`, as paths."""
    found, problems = find_returns(year_dir, limits)
    return [f.path for f in found], problems


def check_container(path: Path, rel: str, limits: Limits) -> Problem | None:
    """Refuse a file before reading it: too big, encrypted, not a zip, not a workbook,
    or a zip whose members would unpack beyond the limit (a zip bomb)."""
    try:
        xlsxscan.check_container(path, limits)
    except Refused as refusal:
        return _file_error(rel, str(refusal))
    return None


def read_workbook(path: Path, rel: str, limits: Limits) -> tuple[Workbook | None, list[Problem]]:
    """Read every sheet of one workbook, or return the one error that makes it unreadable.
    The problems returned include those at cells that only the workbook's XML shows."""
    try:
        scan = xlsxscan.scan_workbook(path, limits)
    except Refused as refusal:
        return None, [_file_error(rel, str(refusal))]
    except OSError as exc:
        return None, [_file_error(rel, f"cannot be opened ({exc.strerror or exc}): check the file's permissions")]
    except Exception as exc:  # a file the scan did not foresee: refuse it rather than stop the build
        log.debug("scanning %s failed", rel, exc_info=True)
        return None, [_file_error(rel, f"cannot be checked as a workbook ({type(exc).__name__}): "
                                  "open it in Excel and save it again as .xlsx")]
    problems: list[Problem] = []
    if path.suffix.lower() == ".xlsm" or scan.macros:
        kind = "a macro-enabled workbook (.xlsm)" if path.suffix.lower() == ".xlsm" else "a workbook with macros"
        problems.append(Problem(Severity.WARNING, rel, None, None, None,
            f"{kind}: its values were read, its macros never run; please send a plain .xlsx next time"))
    try:
        sheets = _read_sheets(path)
    except Exception as exc:  # calamine raises several kinds for damaged files
        log.debug("reading %s failed", rel, exc_info=True)
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return None, problems + [_file_error(rel, f"cannot be read as a workbook ({reason}): "
                                             "open it in Excel and save it again as .xlsx")]
    tables: dict[str, Table] = {}
    for name, rows in sheets.items():
        key = header_key(name)
        if key in tables:
            problems.append(Problem(Severity.WARNING, rel, name, None, None,
                f"a second sheet named like '{tables[key].sheet}' was ignored: keep one sheet per name"))
            continue
        table = make_table(name, rows)
        sheet_scan = scan.sheets.get(name)
        if sheet_scan is not None and key in _READ_KEYS:
            table, found = apply_scan(rel, table, sheet_scan, merges=key != "about")
            problems += found
        tables[key] = table
    return Workbook(rel, path, tables, tuple(sheets)), problems


def for_validation(workbook: Workbook) -> Workbook:
    """The workbook as `validate` reads it: the data sheets with a header row keep their keyed
    rows and lose `raw_rows` (every cell a second time: a quarter of the bytes a worker sends
    back, two thirds of the parent's unpickling time); About, sheets without a header row and
    sheets the report does not read keep every row."""
    tables = {key: replace(table, raw_rows=()) if key in _DATA_KEYS and table.header_row is not None else table
              for key, table in workbook.tables.items()}
    return replace(workbook, tables=tables)


def apply_scan(rel: str, table: Table, scan: xlsxscan.SheetScan, merges: bool = True) -> tuple[Table, list[Problem]]:
    """Problems at the cells the XML scan found, named by the table's headers.

    A cell below the header in a headed column is an error, and its row is taken out of
    `table.rows` (left out of the figures, as any row with an error). Elsewhere (a title, the
    header row, a column without header) it is a warning: nothing there is read as data. On a
    sheet without a header row it is an error, since it may be why no header was found."""
    by_index = {c.index: c for c in table.columns}
    problems: list[Problem] = []
    dropped: set[int] = set()
    for issue in scan.cells:
        below_header = table.header_row is not None and issue.row is not None and issue.row > table.header_row
        column = by_index.get(issue.column) if below_header and issue.column is not None else None
        if issue.kind == "uncached-formula":
            formula = f" (={issue.detail[:60]})" if issue.detail else ""
            message = (f"the formula{formula} has no computed value: the file was saved by a program that "
                       "does not compute formulas: open it in Excel and save again")
        else:
            message = (f"the cell shows the Excel error {issue.detail}: correct the formula or type the value "
                       "(leave the cell empty if there is none)")
        if column is not None:
            dropped.add(issue.row)  # type: ignore[arg-type]
            message += "; the row was not used"
        elif below_header:
            message += " (the cell is in a column without a header: it was not read)"
        header = column.header if column else (column_letter(issue.column) if issue.column is not None else None)
        severity = Severity.ERROR if column is not None or table.header_row is None else Severity.WARNING
        problems.append(Problem(severity, rel, table.sheet, issue.row, header, message, issue.ref))
    if merges and table.header_row is not None:
        raw = dict(table.raw_rows)
        for merge in scan.merges:
            if merge.last_row <= table.header_row:
                continue  # titles and the header row may be merged
            cells = raw.get(merge.first_row, ())
            if merge.first_column >= len(cells) or cells[merge.first_column] is None:
                continue  # an empty merged range shows nothing, so nothing is misread
            first_row = max(merge.first_row, table.header_row + 1)
            column = by_index.get(merge.first_column)
            header = column.header if column else column_letter(merge.first_column)
            top_left = f"{column_letter(merge.first_column)}{merge.first_row}"
            problems.append(Problem(Severity.WARNING, rel, table.sheet, first_row, header,
                f"cells {merge.ref} are merged: only {top_left} holds the value and the other cells "
                "are read as empty: unmerge the cells and fill in each one", merge.ref))
    if dropped:
        keep = [i for i, number in enumerate(table.row_numbers) if number not in dropped]
        table = replace(table, row_numbers=tuple(table.row_numbers[i] for i in keep),
                        cells={key: tuple(values[i] for i in keep) for key, values in table.cells.items()})
    return table, problems


def _read_sheets(path: Path) -> dict[str, list[tuple[int, tuple[Any, ...]]]]:
    """{sheet name: [(Excel row, cells)]} for every worksheet (chart sheets have no cells).

    Read with calamine, the engine `pandas.read_excel(engine="calamine")` wraps, but without
    the DataFrame pandas builds around each sheet: that wrapper was two thirds of the reading
    time of a return and its import 0.3 s of every build (docs/performance.md, issue 7)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    sheets: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    with CalamineWorkbook.from_path(str(path)) as workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = []
            # skip_empty_area=False keeps leading empty rows and columns: position + 1 is the
            # Excel row number, and a cell's position its column.
            cells_by_row = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            for position, values in enumerate(cells_by_row):
                cleaned = tuple(map(clean_cell, values))
                if cleaned.count(None) != len(cleaned):
                    rows.append((position + 1, cleaned))
            sheets[str(meta.name)] = rows
    return sheets


def clean_cell(value: Any) -> Any:
    """None for empty cells; whole numbers as int; dates as ISO text; strings kept as written
    (so "n/a" or "NA" typed in a cell stays text to report, never an empty cell)."""
    # Called for every cell of every return: the common kinds (text, numbers) are tested first.
    kind = type(value)
    if kind is str:
        return value if value and not value.isspace() else None
    if kind is float:
        if value != value:  # NaN
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def make_table(sheet: str, rows: list[tuple[int, tuple[Any, ...]]]) -> Table:
    """Find the header (first row with two non-empty cells) and take the rows below it apart
    into columns (one transposition in C, not a dict per row)."""
    header_at = next((i for i, (_, cells) in enumerate(rows)
                      if sum(c is not None for c in cells) >= 2), None)
    if header_at is None:
        return Table(sheet, None, (), raw_rows=tuple(rows))
    header_row, header_cells = rows[header_at]
    columns = tuple(
        Column(index, str(cell).strip(), header_key(str(cell)))
        for index, cell in enumerate(header_cells)
        if cell is not None
    )
    body = rows[header_at + 1:]
    numbers = [excel_row for excel_row, _ in body]
    by_index = list(zip_longest(*(cells for _, cells in body)))  # one tuple per sheet column
    empty = (None,) * len(body)
    first_index: dict[str, int] = {}
    for c in columns:  # a header written twice: the first column counts
        first_index.setdefault(c.key, c.index)
    cells = {key: by_index[index] if index < len(by_index) else empty for key, index in first_index.items()}
    headed = {c.index for c in columns}
    stray = sorted((numbers[position], index, value)
                   for index, values in enumerate(by_index)
                   if index not in headed and values.count(None) != len(values)
                   for position, value in enumerate(values) if value is not None)
    # A row is in the body when a headed column holds a value; a non-empty row whose values
    # all stand in columns without a header can only be one of the stray values' rows.
    position = {excel_row: i for i, excel_row in enumerate(numbers)} if stray else {}
    bare = {position[r] for r in {r for r, _, _ in stray}
            if all(values[position[r]] is None for values in cells.values())}
    if bare:
        keep = [i for i in range(len(numbers)) if i not in bare]
        numbers = [numbers[i] for i in keep]
        cells = {key: tuple(values[i] for i in keep) for key, values in cells.items()}
    return Table(sheet, header_row, columns, tuple(numbers), cells, tuple(rows), tuple(stray))


def _file_error(rel: str, message: str) -> Problem:
    return Problem(Severity.ERROR, rel, None, None, None, message)
