"""`reportgen template`: the workbook a Bureau fills in for a year (contract sections 2 and 6).

It owns the blank return: an `Instructions` sheet in plain language, `About` pre-filled, `KPIs`
listing every output of the bureau's sector (with last year's indicators carried over where the
year before has valid ones), `Finance`, `Proposals`, `Highlights`, and an `Outputs` reference
sheet with the codes, names and objectives. Drop-down lists stand where the values are fixed
(output codes, direction), number checks where a number is expected. A template that is filled
in and dropped back into `inputs/<YEAR>/` validates without error.

`write_template(TemplateOptions(...))` writes it; it never replaces an existing file unless
told to (`force`), and never writes inside the inputs folder, where it could take the place of
a Bureau's return. The command line (reportgen/cli/bureau.py) only turns arguments into options.

openpyxl is imported inside the functions that write, so `validate` never pays for it.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from reportgen import format
from reportgen.errors import ReportgenError
from reportgen.format import ColumnType

if TYPE_CHECKING:  # types only
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from reportgen.bureau.xlsxscan import Limits
    from reportgen.model import KPIEntry, YearData
    from reportgen.plan.loader import Plan, Sector

log = logging.getLogger(__name__)

# Rows below the header that carry the drop-downs and number checks: far more than any
# return has (the 2009 samples have under 40 KPI rows per bureau).
VALIDATED_ROWS = 500
# The sheets, columns, notes and drop-down values come from the format (reportgen/format.py).
OUTPUT_HEADERS = ("Code", "Output (name as printed in the plan)", "Objectives", "High priority")
# Sheets a template has beyond the five the report reads (format.GUIDANCE_SHEETS: validate ignores them).
EXTRA_SHEETS = ("Instructions", "Outputs")

HEADER_FILL = "1F4E79"  # dark blue, white bold text
KEY_FILL = "DDEBF7"  # light blue for the About keys
INPUT_FILL = "FFF2CC"  # light yellow: "type here"



@dataclass(frozen=True, slots=True)
class CodeList:
    """The drop-down of a code column (Output, Refers to, Objective): a warning, not a stop,
    since an output's name, or several codes separated by commas, are allowed too."""

    codes: tuple[str, ...]
    prompt: str
    error: str


@dataclass(frozen=True, slots=True)
class TemplateOptions:
    """What `reportgen template` is asked for."""

    year: int
    bureau: str  # BR, TSB, BDT or GS (any case)
    out: Path  # the file to write
    inputs: Path | None = None  # holds <year-1>/ to carry indicators over; never written into
    plan_file: Path | None = None  # another plan (None: the one that ships)
    limits: Limits | None = None  # for reading last year's returns
    force: bool = False  # replace `out` if it exists


@dataclass(frozen=True, slots=True)
class TemplateResult:
    path: Path
    outputs: int
    carried: int  # KPI rows carried over from the year before
    carried_from: int | None  # that year, when its folder was read


class TemplateError(ReportgenError):
    """The template cannot be written where it was asked to go."""


def default_path(outputs: Path, year: int, bureau: str) -> Path:
    """Where a template goes unless told otherwise: outputs/<YEAR>/templates/<BUREAU>_<YEAR>.xlsx."""
    return outputs / str(year) / "templates" / f"{bureau.strip().upper()}_{year}.xlsx"


# -- the template ----------------------------------------------------------------------------

def write_template(options: TemplateOptions) -> TemplateResult:
    """Write the template for `options.bureau` and `options.year` to `options.out`.
    Last year's valid KPIs are read from `inputs/<year-1>/` when that folder exists.
    Raises ReportgenError for an unknown bureau, a destination inside the inputs folder, an
    existing file without `force`, or an unwritable destination; nothing is written then."""
    from reportgen.plan.loader import load_plan

    check_destination(options.out, options.inputs, options.force)
    plan = load_plan(options.plan_file)
    sector = _sector(plan, options.bureau)
    year = options.year
    earlier = previous_year(plan, year, options.inputs, options.limits) if options.inputs is not None else None
    carried = [k for k in earlier.kpis if k.bureau == sector.bureau] if earlier else []
    workbook = build_template(plan, year, sector, carried)
    save(workbook, options.out, replace=options.force)
    return TemplateResult(options.out, len(sector.outputs), len(carried), earlier.year if earlier else None)


def check_destination(out: Path, inputs: Path | None, force: bool) -> None:
    """TemplateError if `out` is inside the inputs folder (even with `force`: a template there
    takes the place of a Bureau's return, or is read as one), is a folder, or exists and
    `force` is not set."""
    if inputs is not None and out.resolve().is_relative_to(inputs.resolve()):
        raise TemplateError(f"{out} is inside the inputs folder {inputs}: a template there would replace or join "
                            f"the Bureaux' returns; write it elsewhere (the default is outputs/<YEAR>/templates/) "
                            f"and file it in {inputs}/ only once it is filled in")
    if out.is_dir():
        raise TemplateError(f"{out} is a folder: give --out a file name, e.g. {out / 'BR.xlsx'}")
    if os.path.lexists(out) and not force:
        raise TemplateError(_exists(out))


def _exists(out: Path) -> str:
    return (f"{out} already exists; nothing written (it may be a filled return): choose another --out, "
            f"or add --force to replace it")


def previous_year(plan: Plan, year: int, inputs: Path, limits: Any = None) -> YearData | None:
    """Last year's validated returns, or None when there is no such folder."""
    from reportgen.pipeline.build import read_year
    from reportgen.errors import InputError
    from reportgen.pipeline.ingest import Limits

    try:
        data, _ = read_year(year - 1, inputs, plan, limits or Limits())
    except InputError:
        return None
    return data


def _sector(plan: Plan, bureau: str) -> Sector:
    sector = plan.sector_of_bureau(bureau.strip())
    if sector is None:
        known = ", ".join(f"{s.bureau} ({s.bureau_name})" for s in plan.sectors)
        raise ReportgenError(f"unknown bureau '{bureau}': use one of {known}")
    return sector


def build_template(plan: Plan, year: int, sector: Sector, carried: Iterable[KPIEntry] = ()) -> "Workbook":
    """The template workbook in memory: Instructions, About, KPIs, Finance, Proposals,
    Highlights, Outputs. `carried` are last year's KPIs of this bureau."""
    from openpyxl import Workbook

    workbook = Workbook()
    instructions = workbook.active
    instructions.title = "Instructions"
    _instructions_sheet(instructions, plan, year, sector)
    _about_sheet(workbook.create_sheet(format.ABOUT.name), year, sector)
    lists = _code_lists(plan, sector)
    _kpis_sheet(workbook.create_sheet(format.KPIS.name), sector, list(carried), lists)
    _finance_sheet(workbook.create_sheet(format.FINANCE.name), sector, lists)
    # The plain sheets, and those only some bureaux send (the General Secretariat's Financial situation).
    extra = tuple(spec for spec in format.SHEETS if spec.bureaux and sector.bureau in spec.bureaux)
    for spec in (format.PROPOSALS, format.HIGHLIGHTS, *extra):
        _data_sheet(workbook.create_sheet(spec.name), spec, lists)
        _print_setup(workbook[spec.name])
    _outputs_sheet(workbook.create_sheet("Outputs"), plan, sector)
    workbook.active = 0
    workbook.properties.title = f"{sector.bureau} return for {year}"
    workbook.properties.creator = "reportgen"
    return workbook


def save(workbook: "Workbook", out: Path, replace: bool = False) -> None:
    """Save through a temporary file beside `out`, renamed into place; an existing `out` is
    replaced only if `replace` is set (TemplateError otherwise, even for one made meanwhile)."""
    from io import BytesIO

    from reportgen.pipeline.write import write_file

    buffer = BytesIO()
    workbook.save(buffer)
    try:
        write_file(out, buffer.getvalue(), replace=replace)
    except FileExistsError:
        raise TemplateError(_exists(out)) from None
    except OSError as exc:
        raise TemplateError(f"cannot write {out}: {exc.strerror or exc}; choose another --out") from exc


# -- sheets ------------------------------------------------------------------------------------

def _header(sheet: "Worksheet", headers: Iterable[str], widths: Iterable[int],
            notes: dict[str, str] | None = None, row: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, (title, width) in enumerate(zip(headers, widths), start=1):
        cell = sheet.cell(row=row, column=index, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
        if notes and title in notes:
            cell.comment = _note(notes[title])
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
    sheet.row_dimensions[row].height = 20


def _note(text: str) -> Any:
    from openpyxl.comments import Comment

    comment = Comment(text, "reportgen")
    comment.width, comment.height = 300, 110
    return comment


def _validation(sheet: "Worksheet", cells: str, kind: str, *, formula1: str | None = None,
                formula2: str | None = None, operator: str | None = None, stop: bool = True,
                title: str = "", prompt: str = "", error: str = "") -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator,
                          allow_blank=True, showErrorMessage=True, showInputMessage=bool(prompt),
                          errorStyle="stop" if stop else "warning",
                          promptTitle=title[:32] or None, prompt=prompt[:255] or None,
                          errorTitle=title[:32] or None, error=error[:255] or None)
    rule.add(cells)
    sheet.add_data_validation(rule)


def _code_list(codes: Iterable[str]) -> str:
    """An in-cell list for a drop-down; Excel allows 255 characters, so the plan's codes fit."""
    text = ",".join(codes)
    if len(text) > 255:  # only another plan with far more outputs per sector could get here
        raise ReportgenError(f"too many codes for an Excel drop-down list ({len(text)} characters, "
                             "Excel allows 255): the plan file has more outputs than a template can list")
    return f'"{text}"'


def _number_check(sheet: "Worksheet", cells: str, column: format.Column) -> None:
    if column.minimum is None:
        _validation(sheet, cells, "decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                    title="A number", prompt="Type a plain number, e.g. 120 or 85 (not 85%).",
                    error="Type a number, e.g. 120. For a percentage type 85, not 85%, and "
                          "write % in the Unit column.")
    else:
        _validation(sheet, cells, "decimal", operator="greaterThanOrEqual", formula1=f"{column.minimum:g}",
                    title=column.header, prompt=column.help,
                    error=f"Type a number, {column.minimum:g} or more: {column.help}")


def _plain(value: float | None) -> float | int | None:
    if value is None or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


def _instructions_sheet(sheet: "Worksheet", plan: Plan, year: int, sector: Sector) -> None:
    from openpyxl.styles import Alignment, Font

    lines = instruction_lines(plan, year, sector)
    sheet.column_dimensions["A"].width = 110
    for row, (style, text) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=14, color=HEADER_FILL)
            sheet.row_dimensions[row].height = 24
        elif style == "heading":
            cell.font = Font(bold=True, size=12, color=HEADER_FILL)
            sheet.row_dimensions[row].height = 20
        elif text:
            # openpyxl cannot measure text: give wrapped paragraphs room (about 130 characters a line).
            sheet.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 130))
    sheet.sheet_view.showGridLines = False
    sheet.sheet_properties.tabColor = HEADER_FILL
    _print_setup(sheet, title_row=False)


def instruction_lines(plan: Plan, year: int, sector: Sector) -> list[tuple[str, str]]:
    """The Instructions sheet as (style, text) lines; style is title, heading or text."""
    bureau = sector.bureau
    lines: list[tuple[str, str]] = [
        ("title", f"{sector.bureau_name} ({bureau}): return for {year} on the ITU Strategic Plan"),
        ("text", f"This workbook collects the {sector.name} results for the Secretary-General's "
                 f"annual progress report on the Strategic Plan {plan.first_year}-{plan.last_year}. "
                 "Fill in the sheets About, KPIs, Finance, Proposals and Highlights; the yellow "
                 "cells are the ones you will usually need to fill in. Do not rename the sheets or the "
                 "column headings."),
        ("text", ""),
        ("heading", "Steps"),
        ("text", "1. About: fill in 'Prepared by' (your unit or name) and 'Date'. Leave Bureau and "
                 f"Year as they are ({bureau}, {year}). Data status: 'final' for real figures, "
                 "'illustrative' only for sample data."),
        ("text", "2. KPIs: one row per indicator. Every output of your sector is already listed. "
                 f"Where the {year - 1} return had indicators, their names, units, directions and "
                 f"targets are filled in and the Baseline is last year's actual: check them, type "
                 f"this year's Target and Actual. To add an indicator, add a row below and choose "
                 "the output in column A. An output may have several rows (one per indicator)."),
        ("text", "3. Finance: for each output, the Budget and the Expenditure of the year, in "
                 "thousands of Swiss francs (1250 means CHF 1 250 000)."),
        ("text", "4. Proposals (optional): proposals of your advisory group and decisions of "
                 "conferences or Council that the report must take into account."),
        ("text", "5. Highlights (optional): a few sentences on the year's main achievements."),
        ("text", f"6. Save the file as an Excel workbook (.xlsx), without a password, with a name "
                 f"that begins with {bureau}, e.g. {bureau}_{year}.xlsx, and put it in the folder "
                 f"inputs/{year}/ of the report (the shared 'inputs' folder, year {year}). You may "
                 "send several files; their rows are added together."),
        ("text", "7. You will get a feedback copy of your file (…-feedback.xlsx) with every problem "
                 "coloured (red: error, the row is left out of the report; amber: warning, the row "
                 "is used) and listed on a 'Problems' sheet with how to fix it. Correct your file "
                 "and put it back in the same folder."),
        ("text", ""),
        ("heading", "The KPIs sheet, column by column"),
    ]
    lines += [("text", f"{column.header}: {column.help}") for column in _offered(format.KPIS)]
    lines += [
        ("text", ""),
        ("heading", "How to type numbers"),
        ("text", "Baseline, Target, Actual, Budget and Expenditure take plain numbers: 120, 1250, "
                 "12.5. Thousands separators are fine (1,250 or 1 250). For a percentage type the "
                 "number without the % sign (85 for 85 %) and write % in the Unit column: if you "
                 "type 85% into a number cell, Excel stores 0.85, and that is what the report reads. "
                 "Do not write words such as 'n/a', 'about 90' or 'TBD': leave Actual empty if "
                 "the figure is not known; Target must always be a number."),
        ("text", ""),
        ("heading", "Direction"),
        ("text", "'higher' (the default when empty) means a larger actual is better, e.g. documents "
                 "published. 'lower' means a smaller actual is better, e.g. days to process a "
                 "notice. A target is achieved when the actual reaches it in that direction."),
        ("text", ""),
        ("heading", f"The outputs of the {sector.name} (also on the Outputs sheet)"),
    ]
    lines += [("text", f"{o.code}  {o.name}") for o in sector.outputs]
    lines += [
        ("text", ""),
        ("text", "Questions: the Strategic Planning unit of the General Secretariat, which prepares "
                 "the report."),
    ]
    return lines


def _about_sheet(sheet: "Worksheet", year: int, sector: Sector) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    prefilled: dict[str, Any] = {"bureau": sector.bureau, "year": year}
    for row, column in enumerate(_offered(format.ABOUT), start=1):
        key_cell = sheet.cell(row=row, column=1, value=column.header)
        key_cell.font = Font(bold=True)
        key_cell.fill = PatternFill("solid", fgColor=KEY_FILL)
        value_cell = sheet.cell(row=row, column=2, value=prefilled.get(column.field, column.default))
        cell = value_cell.coordinate
        if value_cell.value is None:
            value_cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        if column.type is ColumnType.NUMBER:
            value_cell.alignment = Alignment(horizontal="left")
        elif column.type is ColumnType.TEXT:
            key_cell.comment = _note(column.help)
        elif column.type is ColumnType.DATE:
            value_cell.number_format = "yyyy-mm-dd"
            _validation(sheet, cell, "date", operator="greaterThan", formula1="1", stop=False,
                        title=column.header, prompt=column.help,
                        error=f"Type a date, e.g. {year + 1}-01-15.")
        elif column.type is ColumnType.CHOICE:
            _validation(sheet, cell, "list", formula1=_code_list(column.choices),
                        title=column.header, prompt=column.help, error=_choose(column))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 40


def _offered(spec: format.Sheet) -> tuple[format.Column, ...]:
    """The columns of `spec` that the blank return offers."""
    return tuple(c for c in spec.columns if c.in_template)


def _code_lists(plan: Plan, sector: Sector) -> dict[str, CodeList]:
    """The drop-down of each code column, by its field name."""
    outputs = tuple(o.code for o in sector.outputs)
    refers = tuple([g.code for g in plan.goals] + [o.code for o in sector.objectives] + list(outputs))
    return {
        "output": CodeList(outputs, "Choose the output code. The names are on the Outputs sheet.",
                           f"Not an output code of the {sector.name}: choose one from the list "
                           "(see the Outputs sheet)."),
        "refers_to": CodeList(refers, "A goal, objective or output code; empty for the plan as a whole.",
                              "Not one of the listed codes: keep it only if it is a goal, objective or "
                              "output code or an output's name."),
        "objectives": CodeList(tuple(o.code for o in sector.objectives),
                               "The objective(s) this KPI measures, separated by commas; empty for all of "
                               "the output's objectives (see the Outputs sheet).",
                               "Each code must be an objective of the row's output (see the Outputs "
                               "sheet); several are separated by commas."),
    }


def _choose(column: format.Column) -> str:
    empty = f" (or leave empty for {column.default})" if column.default else ""
    return f"Choose {', '.join(column.choices[:-1])} or {column.choices[-1]}{empty}."


def _data_sheet(sheet: "Worksheet", spec: format.Sheet, lists: dict[str, CodeList]) -> dict[str, int]:
    """The header row of a data sheet with its notes, and the checks of every column: a
    drop-down for a choice or a code, a number check for a number. Returns {field: 1-based
    column}."""
    from openpyxl.utils import get_column_letter

    columns = _offered(spec)
    _header(sheet, [c.header for c in columns], [c.width for c in columns], {c.header: c.help for c in columns})
    last = VALIDATED_ROWS + 1
    positions = {}
    for index, column in enumerate(columns, start=1):
        positions[column.field] = index
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{last}"
        if column.type is ColumnType.CHOICE:
            _validation(sheet, cells, "list", formula1=_code_list(column.choices), title=column.header,
                        prompt=column.help, error=_choose(column))
        elif column.type is ColumnType.CODE and column.field in lists:
            codes = lists[column.field]
            _validation(sheet, cells, "list", formula1=_code_list(codes.codes), stop=False,
                        title=column.header, prompt=codes.prompt, error=codes.error)
        elif column.type is ColumnType.NUMBER:
            _number_check(sheet, cells, column)
        elif column.field == "unit":
            # The units the report translates itself, offered first; any other text is still
            # accepted (a warning, not a stop) and goes to the translators.
            from reportgen.i18n.terms import UNIT_CHOICES

            _validation(sheet, cells, "list", formula1=_code_list(UNIT_CHOICES), stop=False,
                        title=column.header, prompt=column.help,
                        error="Not one of the listed units: keep it only if none fits (it will need translating).")
    return positions


def _kpis_sheet(sheet: "Worksheet", sector: Sector, carried: list[KPIEntry], lists: dict[str, CodeList]) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    at = _data_sheet(sheet, format.KPIS, lists)
    by_output: dict[str, list[KPIEntry]] = {}
    for entry in sorted(carried, key=lambda e: (e.source.file, e.source.row or 0)):
        by_output.setdefault(entry.output, []).append(entry)
    to_fill = PatternFill("solid", fgColor=INPUT_FILL)
    row = 2
    for output in sector.outputs:
        entries = by_output.get(output.code) or [None]
        for entry in entries:
            sheet.cell(row=row, column=at["output"], value=output.code)
            for field in ("target", "actual") if entry is not None else ("kpi", "target", "actual"):
                sheet.cell(row=row, column=at[field]).fill = to_fill
            if entry is not None:
                baseline = entry.actual if entry.actual is not None else entry.baseline
                values = {"kpi": entry.kpi, "unit": entry.unit, "baseline": _plain(baseline),
                          "target": _plain(entry.target), "direction": entry.direction,
                          "objectives": ", ".join(entry.objectives) or None}
                for field, value in values.items():
                    if field in at:
                        sheet.cell(row=row, column=at[field], value=value)
            row += 1
    for column in _offered(format.KPIS):
        if column.type is ColumnType.TEXT and column.width >= 40:  # names and comments wrap
            letter = get_column_letter(at[column.field])
            for cell in sheet[f"{letter}2:{letter}{max(row, 2)}"]:
                cell[0].alignment = Alignment(wrap_text=True)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(at))}{VALIDATED_ROWS + 1}"
    _print_setup(sheet)


def _finance_sheet(sheet: "Worksheet", sector: Sector, lists: dict[str, CodeList]) -> None:
    at = _data_sheet(sheet, format.FINANCE, lists)
    for row, output in enumerate(sector.outputs, start=2):
        sheet.cell(row=row, column=at["output"], value=output.code)
        for column in format.FINANCE.columns:
            if column.type is ColumnType.NUMBER:
                sheet.cell(row=row, column=at[column.field]).number_format = "#,##0"
    _print_setup(sheet)


def _outputs_sheet(sheet: "Worksheet", plan: Plan, sector: Sector) -> None:
    from openpyxl.styles import Alignment

    _header(sheet, OUTPUT_HEADERS, (9, 60, 70, 13))
    for row, output in enumerate(sector.outputs, start=2):
        objectives = "; ".join(f"{code} {plan.objective(code).title}" for code in output.objectives)
        values = (output.code, output.name, objectives, "yes" if output.high_priority else "")
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True  # a reference list: read, not edited (no password)
    _print_setup(sheet)


def _print_setup(sheet: "Worksheet", title_row: bool = True) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row:
        sheet.print_title_rows = "1:1"  # the header on every printed page


# -- the guide ---------------------------------------------------------------------------------

def outputs_markdown(plan: Plan) -> str:
    """The output codes of every sector as Markdown tables, for docs/bureau-guide.md."""
    parts = []
    for sector in plan.sectors:
        parts.append(f"### {sector.bureau}: {sector.name}\n")
        parts.append("| code | output | objectives |")
        parts.append("|---|---|---|")
        for output in sector.outputs:
            name = output.name.replace("|", "\\|")
            parts.append(f"| `{output.code}` | {name} | {', '.join(output.objectives)} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
