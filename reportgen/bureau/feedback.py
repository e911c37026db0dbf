"""`reportgen validate --feedback DIR`: the file a Bureau gets back.

For every file of the year folder that was read or had a problem, it writes
`DIR/<name>-feedback.xlsx`: a copy of the workbook with each problem cell coloured (red for an
error, amber for a warning) and a note holding the message, and a first sheet `Problems`
listing every problem of that file with where it is and how to fix it. A file that could not
be opened gets a workbook with the Problems sheet only.

The copy is made with openpyxl after the same container checks as ingest (size, zip bomb,
encryption); macros are dropped (`keep_vba=False`), external links are not kept, nothing in
the workbook is ever run or recalculated. Every file is written to a temporary name first.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable

from reportgen.errors import ReportgenError
from reportgen.format import Severity
from reportgen.model import Problem, YearData
from reportgen.util.text import header_key

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

log = logging.getLogger(__name__)

ERROR_FILL = "FFC7CE"  # Excel's own "bad" red
WARNING_FILL = "FFE699"  # amber
ERROR_TAB = "C00000"
WARNING_TAB = "FFC000"
HEADER_FILL = "1F4E79"
PROBLEMS_SHEET = "Problems"  # one of format.GUIDANCE_SHEETS: validate passes over it when a copy comes back
# What no workbook can hold (XML 1.0): a message quoting a cell's text must not carry it.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
PROBLEM_HEADERS = ("Severity", "Sheet", "Row", "Column", "Cell", "Problem and fix")
PROBLEM_WIDTHS = (10, 14, 7, 14, 8, 110)
MAX_ROW_COLUMNS = 30  # a whole-row highlight stops here, however wide the sheet
SUFFIX = "-feedback"


@dataclass(frozen=True, slots=True)
class _Mark:
    severity: Severity
    text: str


def feedback_name(rel: str) -> str:
    """Where a file's feedback goes, relative to DIR: `BR_2009.xlsx` -> `BR_2009-feedback.xlsx`;
    a file that is not .xlsx/.xlsm keeps its suffix in the name (`BR.xls-feedback.xlsx`)."""
    path = PurePosixPath(rel)
    stem = path.stem if path.suffix.lower() in (".xlsx", ".xlsm") else path.name
    return str(path.with_name(f"{stem}{SUFFIX}.xlsx"))


def write_feedback(data: YearData, paths: Iterable[Path], year_dir: Path, out_dir: Path,
                   limits: Any = None) -> list[Path]:
    """Write a feedback workbook for every workbook in `paths` and every other file with a
    problem. `data` is the year's validation, `year_dir` the folder the paths are in. Problems
    with no file that name a bureau (e.g. an output without KPIs) go to that bureau's files.
    Returns the paths written. Raises ReportgenError if `out_dir` is inside `year_dir`."""
    from reportgen.pipeline.ingest import Limits
    from reportgen.pipeline.write import write_all

    _refuse_inside(out_dir, year_dir)
    limits = limits or Limits()
    files = {p.relative_to(year_dir).as_posix(): p for p in paths}
    for problem in data.problems:
        if problem.file is not None and problem.file not in files:
            files[problem.file] = year_dir / problem.file
    bureau_of = {r.file: r.bureau for r in data.returns}
    contents: dict[str, bytes] = {}
    for rel in sorted(files):
        own = [p for p in data.problems if p.file == rel]
        own += [p for p in data.problems if p.file is None and _names_bureau(p, bureau_of.get(rel))]
        workbook = feedback_workbook(files[rel], rel, data.year, own, limits)
        contents[feedback_name(rel)] = _to_bytes(workbook)
    return write_all(out_dir, contents) if contents else []


def _refuse_inside(out_dir: Path, year_dir: Path) -> None:
    # Feedback files in the year folder would be read as returns at the next run.
    out, inputs = out_dir.resolve(), year_dir.resolve()
    if out == inputs or inputs in out.parents:
        raise ReportgenError(f"the feedback folder {out_dir} is inside {year_dir}, where its files "
                             "would be read as returns: choose a folder outside the inputs")


def _names_bureau(problem: Problem, bureau: str | None) -> bool:
    """Whether a problem without a file concerns `bureau` (coverage warnings name it)."""
    if bureau is None:
        return False
    explicit = getattr(problem, "bureau", None)  # should Problem ever carry the bureau
    if explicit is not None:
        return explicit == bureau
    return re.search(rf"\b{re.escape(bureau)}\b", problem.message) is not None


def _to_bytes(workbook: "Workbook") -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problem_order(problem: Problem) -> tuple:
    return (problem.file is not None, problem.sheet or "", problem.row or 0, problem.column or "")


def feedback_workbook(path: Path, rel: str, year: int, problems: list[Problem], limits: Any) -> "Workbook":
    """The feedback copy of one file: its own workbook marked, or a new one when it cannot be
    opened, with the Problems sheet first."""
    from openpyxl import Workbook

    problems = sorted(problems, key=_problem_order)
    workbook, reason = _open_copy(path, rel, limits)
    if workbook is None:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = PROBLEMS_SHEET
    else:
        _mark(workbook, problems)
        sheet = workbook.create_sheet(_free_name(workbook, PROBLEMS_SHEET), 0)
    _problems_sheet(sheet, workbook, rel, year, problems, reason)
    for other in workbook.worksheets:
        other.sheet_view.tabSelected = other is sheet
    workbook.active = 0
    return workbook


def _open_copy(path: Path, rel: str, limits: Any) -> tuple["Workbook | None", str | None]:
    """The workbook, or None and why, after the container checks ingest makes."""
    from reportgen.pipeline.ingest import WORKBOOK_SUFFIXES
    from reportgen.bureau.xlsxscan import Refused, scan_workbook

    if path.suffix.lower() not in WORKBOOK_SUFFIXES or not path.is_file():
        return None, "the file is not an Excel workbook, so no marked copy could be made"
    try:
        # The same checks as ingest (container, entities, sheet sizes) before openpyxl opens it.
        scan_workbook(path, limits)
    except Refused:
        return None, "the file could not be opened, so no marked copy could be made"
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on extensions it drops
            return openpyxl.load_workbook(path, keep_vba=False, keep_links=False), None
    except Exception as exc:  # openpyxl raises many kinds for files Excel itself tolerates
        log.debug("openpyxl could not open %s", rel, exc_info=True)
        return None, f"the file could not be opened for marking ({type(exc).__name__})"


def _free_name(workbook: "Workbook", name: str) -> str:
    taken = {s.title.casefold() for s in workbook.worksheets}
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{name} {number}"
    return candidate


def _sheet(workbook: "Workbook", name: str | None) -> "Worksheet | None":
    if name is None:
        return None
    if name in workbook.sheetnames:
        return workbook[name]
    key = header_key(name)
    return next((s for s in workbook.worksheets if header_key(s.title) == key), None)


def _locate(sheet: "Worksheet", problem: Problem) -> list[str]:
    """The cells a problem points at: its cell, else its column's cell in its row (the header
    found as ingest finds it), else the row's used cells. Empty for sheet-level problems."""
    from openpyxl.utils import get_column_letter

    if problem.row is None:
        return []
    if problem.cell:
        return [problem.cell]
    if problem.column:
        column = _header_column(sheet, problem.row, problem.column)
        if column is not None:
            return [f"{get_column_letter(column)}{problem.row}"]
    width = max(1, min(sheet.max_column, MAX_ROW_COLUMNS))
    return [f"{get_column_letter(c)}{problem.row}" for c in range(1, width + 1)]


def _header_column(sheet: "Worksheet", row: int, header: str) -> int | None:
    """1-based column of `header` in the first row above `row` with two non-empty cells."""
    wanted = header_key(header)
    for cells in sheet.iter_rows(min_row=1, max_row=max(1, row - 1), values_only=True):
        present = [v for v in cells if v is not None and str(v).strip()]
        if len(present) >= 2:
            for index, value in enumerate(cells, start=1):
                if value is not None and header_key(str(value)) == wanted:
                    return index
            return None
    return None


def _mark(workbook: "Workbook", problems: list[Problem]) -> None:
    """Colour every problem's cells and add a note with its message; colour the sheet tabs."""
    from openpyxl.styles import PatternFill

    marks: dict[tuple[str, str], list[_Mark]] = {}
    worst: dict[str, str] = {}
    for problem in problems:
        sheet = _sheet(workbook, problem.sheet)
        if sheet is None:
            continue
        if worst.get(sheet.title) != Severity.ERROR:
            worst[sheet.title] = problem.severity
        cells = _locate(sheet, problem)
        for index, ref in enumerate(cells):
            # A whole row gets one note, on its first cell; every cell gets the colour.
            text = f"{problem.severity.upper()}: {_safe(problem.message)}" if index == 0 else ""
            marks.setdefault((sheet.title, ref), []).append(_Mark(problem.severity, text))
    for (title, ref), found in marks.items():
        cell = workbook[title][ref]
        severity = Severity.ERROR if any(m.severity == Severity.ERROR for m in found) else Severity.WARNING
        colour = ERROR_FILL if severity == Severity.ERROR else WARNING_FILL
        cell.fill = PatternFill("solid", fgColor=colour)
        texts = [m.text for m in found if m.text]
        if texts:
            _add_note(cell, "\n\n".join(texts))
    for title, severity in worst.items():
        workbook[title].sheet_properties.tabColor = ERROR_TAB if severity == Severity.ERROR else WARNING_TAB


def _safe(text: str | None) -> str | None:
    """`text` as a workbook can hold it: control characters (which a file name or a quoted cell
    may carry) become spaces, so that writing the copy never fails."""
    return _ILLEGAL.sub(" ", text) if text else text


def _add_note(cell: Any, text: str) -> None:
    from openpyxl.comments import Comment

    if cell.comment is not None and cell.comment.text:
        text = f"{text}\n\n(Your note: {cell.comment.text})"
    comment = Comment(text, "reportgen")
    comment.width = 360
    comment.height = 60 + 20 * (len(text) // 50)
    cell.comment = comment


def _problems_sheet(sheet: "Worksheet", workbook: "Workbook", rel: str, year: int,
                    problems: list[Problem], reason: str | None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    errors = sum(p.severity == Severity.ERROR for p in problems)
    warnings_ = len(problems) - errors
    sheet["A1"] = _safe(f"Problems found in {rel} (returns for {year})")
    sheet["A1"].font = Font(bold=True, size=14, color=HEADER_FILL)
    if problems:
        summary = (f"{errors} error(s) and {warnings_} warning(s). An error means the row was "
                   "left out of the report; a warning means it was used but should be checked. "
                   "In the other sheets the cells concerned are coloured (red: error, amber: "
                   "warning) and carry a note with the message. Correct your file and put it "
                   f"back in the folder inputs/{year}/.")
    else:
        summary = "No problems found: everything in this file is used in the report."
    if reason:
        summary = f"{summary} Note: {reason}."
    sheet["A2"] = summary
    sheet.merge_cells("A2:F2")
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 48
    header_row = 4
    for index, (title, width) in enumerate(zip(PROBLEM_HEADERS, PROBLEM_WIDTHS), start=1):
        cell = sheet.cell(row=header_row, column=index, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    for row, problem in enumerate(problems, start=header_row + 1):
        target = _sheet(workbook, problem.sheet) if reason is None else None
        cells = _locate(target, problem) if target is not None else []
        ref = problem.cell or (cells[0] if len(cells) == 1 else None)
        values = (str(problem.severity), _safe(problem.sheet), problem.row, _safe(problem.column), ref,
                  _safe(problem.message))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment = Alignment(wrap_text=column == 6, vertical="top",
                                       horizontal="center" if column in (3, 5) else None)
        severity_cell = sheet.cell(row=row, column=1)
        severity_cell.fill = PatternFill("solid", fgColor=ERROR_FILL if problem.severity == Severity.ERROR
                                         else WARNING_FILL)
        jump = ref or (cells[0] if cells else None)
        if target is not None and jump:
            link_cell = sheet.cell(row=row, column=5)
            if link_cell.value is None:
                link_cell.value = f"row {problem.row}"  # a whole row: the link goes to its first cell
            link_cell.hyperlink = Hyperlink(ref=link_cell.coordinate,
                                            location=f"'{target.title}'!{jump}")
            link_cell.font = Font(color="0563C1", underline="single")
        sheet.row_dimensions[row].height = 15 * max(1, -(-len(problem.message) // 115))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
