"""The contract's rules for returns (contract section 2): turn read tables into valid entries
and a list of problems, each at its file, sheet, Excel row and column, with how to fix it.

A row with an error is left out of the figures and listed; a warning keeps the row.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from reportgen import format
from reportgen.format import Severity
from reportgen.pipeline.ingest import Column, Table, Workbook, column_letter
from reportgen.model import (FinanceEntry, FinancialItem, HighlightEntry, KPIEntry, Problem, ProposalEntry, ReturnInfo,
                    Source, YearData)
from reportgen.plan.loader import Output, Plan
from reportgen.util import glyphs
from reportgen.util.text import fold, header_key

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# Everything below is read from the format's statement (reportgen/format.py).
KNOWN_SHEETS = format.SHEET_NAMES
GUIDANCE_SHEETS = format.GUIDANCE_SHEETS
SHEET_COLUMNS: dict[str, dict[str, str]] = {  # sheet -> {column key: header as documented}
    sheet.key: {c.key: c.header for c in sheet.columns} for sheet in format.DATA_SHEETS}
REQUIRED: dict[str, tuple[str, ...]] = {sheet.key: tuple(c.key for c in sheet.required_columns)
                                        for sheet in format.DATA_SHEETS}
# The longest text each text column may hold (the report's page must hold it): {sheet: {key: n}}.
MAX_LENGTH: dict[str, dict[str, int]] = {
    sheet.key: {c.key: c.max_length for c in sheet.columns if c.max_length} for sheet in format.SHEETS}
# Characters that neither a workbook (XML 1.0) nor the report can hold: a vertical tab pasted
# from Word arrives as one of these. Tab, line feed and carriage return are allowed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T][\d:.]+)?")
# Text such as "1.250": a point and exactly three digits, as Europeans group thousands. Read as
# 1.25 (the contract's reading), and worth a word.
_POINT_THOUSANDS = re.compile(r"\s*[+-]?\d{1,3}\.\d{3}\s*%?\s*")
# Two values of one row this many times apart are one typing slip (a point for a thousands
# separator, thousands of CHF typed as CHF) more likely than a fact.
_SLIP_RATIO = (500.0, 2000.0)
_NEAR = (1 / _SLIP_RATIO[0], _SLIP_RATIO[0])  # two figures closer than this are no slip
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# Larger than any KPI or budget (in thousands of CHF) can be: a typing slip, refused.
MAX_NUMBER = 1e15


def parse_number(value: Any) -> float | None:
    """A number from a numeric cell or from text like '1,250', '1 250', ' 42 ' or '85%'.
    Returns None for an empty cell; raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _NUMBER_SPACES.sub("", str(value))
        text = text[:-1] if text.endswith("%") else text
        if "," in text:
            # A comma only groups thousands (1,250 or 12,500.5): "1,5" or "1.250,5" would be
            # read wrongly, so it is refused rather than guessed.
            if not _THOUSANDS.fullmatch(text):
                raise ValueError(value)
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(value)
        number = float(text)
    if number != number or abs(number) > MAX_NUMBER:
        raise ValueError(value)
    return number


def text_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


@dataclass
class _Collector:
    """Gathers entries and problems while one year's workbooks are checked."""

    year: int
    plan: Plan
    problems: list[Problem] = field(default_factory=list)
    returns: list[ReturnInfo] = field(default_factory=list)
    kpis: list[KPIEntry] = field(default_factory=list)
    finance: list[FinanceEntry] = field(default_factory=list)
    proposals: list[ProposalEntry] = field(default_factory=list)
    highlights: list[HighlightEntry] = field(default_factory=list)
    financial: list[FinancialItem] = field(default_factory=list)
    # Rows holding nothing but an Output (unfilled rows of the template): (file, sheet, row, text).
    output_only: list[tuple[str, str, int, Any, str]] = field(default_factory=list)
    # The plan's output for each (text, sector) met so far: returns name the same outputs again and again.
    outputs_named: dict[tuple[str, str], Output | None] = field(default_factory=dict)

    def add(self, severity: Severity, file: str, sheet: str | None, row: int | None,
            column: Column | str | None, message: str) -> None:
        if not message.isprintable():  # a cell's text quoted in the message: no control character
            message = _CONTROL.sub(" ", message)
        if isinstance(column, Column):
            cell = f"{column.letter}{row}" if row else None
            self.problems.append(Problem(severity, file, sheet, row, column.header, message, cell))
        else:
            self.problems.append(Problem(severity, file, sheet, row, column, message))


def validate_year(year: int, workbooks: Iterable[Workbook], read_problems: list[Problem],
                  plan: Plan, earlier: YearData | None = None) -> YearData:
    """Check every workbook of `year` against the contract and the plan.

    `workbooks` may be a generator that reads them: each is checked as it arrives, and
    `read_problems` is only looked at once the last one has been read, so the reader may
    still be adding to it."""
    c = _Collector(year, plan)
    for workbook in workbooks:
        info = _check_about(c, workbook)
        if info is None:
            continue
        c.returns.append(info)
        _check_sheets(c, workbook)
        sector = plan.sector_of_bureau(info.bureau)
        assert sector is not None  # _check_about only accepts the plan's bureaux
        _check_kpis(c, workbook, info, sector.code)
        _check_finance(c, workbook, info, sector.code)
        _check_proposals(c, workbook, info, sector.code)
        _check_highlights(c, workbook, info, sector.code)
        _check_financial_situation(c, workbook, info)
    c.problems[:0] = read_problems  # the files' own problems first, as they were found
    kpis = _drop_duplicate_kpis(c)
    finance = _drop_duplicate_finance(c)
    c.proposals = _drop_duplicate_refs(c)
    _check_coverage(c, kpis)
    if earlier is not None:
        _check_names_against(c, kpis, earlier)
    return YearData(year, tuple(c.returns), tuple(kpis), tuple(finance), tuple(c.proposals),
                    tuple(c.highlights), tuple(c.problems), tuple(c.financial))


# -- About and sheet names -------------------------------------------------------------------

def _check_about(c: _Collector, workbook: Workbook) -> ReturnInfo | None:
    rel = workbook.file
    about = workbook.tables.get("about")
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    cells_at: dict[str, str] = {}  # the value's cell, e.g. B4
    if about is not None:
        for excel_row, cells in about.raw_rows:
            present = [(i, v) for i, v in enumerate(cells) if v is not None]
            if len(present) >= 1 and isinstance(present[0][1], str):
                key = header_key(present[0][1])
                values.setdefault(key, present[1][1] if len(present) > 1 else None)
                rows.setdefault(key, excel_row)
                if len(present) > 1:
                    cells_at.setdefault(key, f"{column_letter(present[1][0])}{excel_row}")
    bureau_text = text_value(values.get("bureau"))
    bureau = None
    if bureau_text:
        bureau = bureau_text.upper()
        if c.plan.sector_of_bureau(bureau) is None:
            known = ", ".join(s.bureau for s in c.plan.sectors)
            c.add(ERROR, rel, about.sheet if about else None, rows.get("bureau"), "Bureau",
                  f"Bureau '{bureau_text}' is not one of {known}: enter one of them; the file was not used")
            return None
    else:
        match = re.match(r"[A-Za-z]+", workbook.path.name)
        letters = match.group(0).upper() if match else ""
        if c.plan.sector_of_bureau(letters) is None:
            known = ", ".join(s.bureau for s in c.plan.sectors)
            where = "the About sheet has no Bureau and " if about else ""
            c.add(ERROR, rel, None, None, None,
                  f"cannot tell which bureau sent this file: {where}its name does not begin with "
                  f"{known}: add an About sheet with a row 'Bureau' or rename the file (e.g. BR_{c.year}.xlsx); "
                  "the file was not used")
            return None
        bureau = letters
    year_value = values.get("year")
    if year_value is not None:
        try:
            stated = parse_number(year_value)
        except ValueError:
            stated = None
        if stated is None or stated != c.year:
            c.add(ERROR, rel, about.sheet if about else None, rows.get("year"), "Year",
                  f"Year is '{text_value(year_value)}' but the file is in the folder for {c.year}: "
                  f"move it to the right year's folder or correct the Year; the file was not used")
            return None
    sheet = about.sheet if about else None

    def text(key: str) -> str | None:
        return _clean(c, rel, sheet, rows.get(key), format.ABOUT.by_key[key].header, values.get(key),
                      MAX_LENGTH["about"].get(key), cells_at.get(key))

    return ReturnInfo(
        file=rel,
        bureau=bureau,
        prepared_by=text("preparedby"),
        date=_about_date(c, rel, sheet, rows.get("date"), values.get("date"), cells_at.get("date")),
        data_status=text("datastatus"),
        language=text("language"),
    )


def _about_date(c: _Collector, rel: str, sheet: str | None, row: int | None, value: Any,
                cell: str | None) -> str | None:
    """The About Date as ISO text (a date cell arrives so from ingest), or None with a warning
    at its cell when it is not a real date: nothing later may stumble on 2010-02-30."""
    text = text_value(value)
    if text is None:
        return None
    match = _ISO_DATE.fullmatch(text)
    if match:
        try:
            date(*map(int, match.groups()))
            return text
        except ValueError:
            pass
    c.problems.append(Problem(WARNING, rel, sheet, row, "Date",
        f"Date is '{text}', which is not a date: type it as YYYY-MM-DD, e.g. {c.year + 1}-01-15 "
        "(or format the cell as a date); it was ignored", cell))
    return None


def _clean(c: _Collector, rel: str, sheet: str | None, row: int | None, header: str, raw: Any,
           max_length: int | None, cell: str | None = None) -> str | None:
    """A text cell as the report shows it, stripped; None when empty. Plain text returns at
    once (this runs for every text cell of every return). Otherwise, with a warning at the cell
    for each: control characters become spaces (no workbook or page can hold them), a text
    beyond `max_length` is cut, and characters that no font of the report has are named."""
    if type(raw) is not str:
        return text_value(raw)
    text = raw.strip()
    if not text:
        return None
    if (max_length is None or len(text) <= max_length) and text.isascii() and text.isprintable():
        return text
    return _unusual_text(c, rel, sheet, row, header, text, max_length, cell)


def _unusual_text(c: _Collector, rel: str, sheet: str | None, row: int | None, header: str, text: str,
                  max_length: int | None, cell: str | None) -> str | None:
    def warn(message: str) -> None:
        c.problems.append(Problem(WARNING, rel, sheet, row, header, message, cell))

    controls = _CONTROL.findall(text)
    if controls:
        text = _CONTROL.sub(" ", text).strip()
        codes = ", ".join(sorted({f"U+{ord(char):04X}" for char in controls}))
        warn(f"{header} holds {len(controls)} control character(s) ({codes}), e.g. a vertical tab pasted "
             "from Word, that no workbook or report can show: each was replaced by a space; "
             "retype the text without them")
        if not text:
            return None
    if max_length is not None and len(text) > max_length:
        warn(f"{header} is {len(text):,} characters long, more than the {max_length:,} the report can "
             f"show: it was cut after {max_length:,} characters; shorten it")
        text = text[:max_length].rstrip() + "…"
    missing = glyphs.missing(text)
    if missing:
        names = ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip() for char in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        warn(f"{header} has character(s) that none of the report's fonts can draw ({names}{more}): "
             "they would print as empty boxes; remove them or write them in words")
    return text


def _text(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column], key: str,
          record: dict[str, Any], lengths: dict[str, int]) -> str | None:
    """`_clean` for the cell of column `key` in a data sheet's row; `lengths` is the sheet's
    MAX_LENGTH. The common case (plain text or nothing) returns at once."""
    raw = record.get(key)
    if type(raw) is not str:
        return None if raw is None else text_value(raw)
    text = raw.strip()
    max_length = lengths.get(key)
    if (max_length is None or len(text) <= max_length) and text.isascii() and text.isprintable():
        return text or None
    if not text:
        return None
    column = cols[key]
    return _unusual_text(c, rel, table.sheet, row, column.header, text, max_length, f"{column.letter}{row}")



def _check_sheets(c: _Collector, workbook: Workbook) -> None:
    known = {header_key(s) for s in KNOWN_SHEETS + GUIDANCE_SHEETS}
    for key, table in workbook.tables.items():
        if key not in known and table.raw_rows:
            c.add(WARNING, workbook.file, table.sheet, None, None,
                  f"sheet '{table.sheet}' is not one the report reads ({', '.join(KNOWN_SHEETS)}): "
                  "its content was ignored; move the data to the right sheet")
    if "kpis" not in workbook.tables:
        c.add(ERROR, workbook.file, None, None, None,
              "no sheet named 'KPIs': the indicators must be on a sheet called KPIs "
              f"(sheets found: {', '.join(workbook.sheet_names) or 'none'})")


def _columns(c: _Collector, workbook: Workbook, sheet_key: str) -> tuple[Table, dict[str, Column]] | None:
    """The sheet's columns by key, after reporting header problems; None if unusable."""
    table = workbook.tables.get(sheet_key)
    if table is None:
        return None
    rel = workbook.file
    if table.header_row is None:
        if table.raw_rows:
            first_row = table.raw_rows[0][0]
            c.add(ERROR, rel, table.sheet, first_row, None,
                  "no header row found (a row with at least two column names such as "
                  f"{', '.join(list(SHEET_COLUMNS[sheet_key].values())[:3])}): add the header row; "
                  "nothing on this sheet was used")
        return None
    expected = SHEET_COLUMNS[sheet_key]
    by_key: dict[str, Column] = {}
    for column in table.columns:
        if column.key in by_key:
            c.add(ERROR, rel, table.sheet, table.header_row, column,
                  f"the header '{column.header}' appears twice (columns {by_key[column.key].letter} and "
                  f"{column.letter}): rename or delete one; only column {by_key[column.key].letter} was read")
            continue
        if column.key not in expected:
            c.add(WARNING, rel, table.sheet, table.header_row, column,
                  f"unknown column '{column.header}' was ignored (columns read: {', '.join(expected.values())})")
        by_key[column.key] = column
    # Each row with values in a column that has no header is named, so that nothing is dropped
    # without a word.
    for row in sorted({r for r, _, _ in table.stray}):
        letters = [column_letter(i) for r, i, _ in table.stray if r == row]
        c.add(WARNING, rel, table.sheet, row, letters[0],
              f"value(s) in column {', '.join(letters)}, which has no header, were ignored: give the "
              "column a header the contract names or move the values")
    missing = [expected[k] for k in REQUIRED[sheet_key] if k not in by_key]
    if missing:
        c.add(ERROR, rel, table.sheet, table.header_row, None,
              f"required column(s) {', '.join(missing)} missing from the header row: add them; "
              "nothing on this sheet was used")
        return None
    return table, by_key


def _cell(record: dict[str, Any], cols: dict[str, Column], key: str) -> Any:
    # A record is keyed by the keys of its table's columns, as `cols` is (the first column of a
    # header written twice in both): a key not in `cols` is not in the record either.
    return record.get(key)


def _only_output(record: dict[str, Any], cols: dict[str, Column]) -> bool:
    """A row of the blank return that was not filled in: its pre-filled Output and nothing else."""
    filled = 0  # rows with nothing at all are not in the table
    for value in record.values():  # a filled row shows a second value at once (its KPI name)
        if value is not None:
            filled += 1
            if filled > 1:
                return False
    return record.get("output") is not None


def _number(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
            key: str, record: dict[str, Any], example: str, pointed: list[str] | None = None) -> tuple[float | None, bool]:
    """(value, ok): an error is recorded when the cell holds something that is not a number.
    Text such as '1.250' adds `key` to `pointed` (see _check_slips)."""
    raw = record.get(key)
    if pointed is not None and type(raw) is str and "." in raw and _POINT_THOUSANDS.fullmatch(raw):
        pointed.append(key)
    try:
        return parse_number(raw), True
    except ValueError:
        hint = (" (a comma may only separate thousands: use a point for decimals)"
                if "," in str(raw) else "")
        c.add(ERROR, rel, table.sheet, row, cols[key],
              f"{cols[key].header} is '{text_value(raw)}': enter a number, e.g. {example}{hint}")
        return None, False


def _resolve_output(c: _Collector, rel: str, table: Table, row: int, column: Column,
                    raw: Any, sector: str, bureau: str) -> str | None:
    text = text_value(raw)
    if text is None:
        c.add(ERROR, rel, table.sheet, row, column,
              f"Output is empty: enter a code such as {c.plan.sector(sector).outputs[0].code} "
              "or the output's name as printed in the plan")
        return None
    found = (text, sector)
    if found not in c.outputs_named:
        c.outputs_named[found] = c.plan.find_output(text, sector)
    output = c.outputs_named[found]
    if output is None:
        suggestions = "; ".join(c.plan.similar_outputs(text, sector))
        c.add(ERROR, rel, table.sheet, row, column,
              f"Output '{text}' is not an output of the plan: use a code or the name as printed "
              f"in the plan (closest: {suggestions})")
        return None
    if output.sector != sector:
        owner = c.plan.sector(output.sector)
        c.add(ERROR, rel, table.sheet, row, column,
              f"Output '{text}' ({output.code} {output.name}) belongs to {owner.name}, not to "
              f"{bureau}'s sector: report it in the {owner.bureau} return or correct the output")
        return None
    if text != str(raw):
        c.add(WARNING, rel, table.sheet, row, column,
              f"Output '{raw}' has spaces before or after it: matched as {output.code} anyway")
    return output.code


# -- the four data sheets ------------------------------------------------------------------

def _check_kpis(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "kpis")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    if not table.rows:
        c.add(WARNING, rel, table.sheet, table.header_row, None,
              "the KPIs sheet has a header but no indicator below it: fill in one row per KPI")
    lengths = MAX_LENGTH["kpis"]
    directions = format.KPIS.by_key["direction"]
    for row, record in table.rows:
        if _only_output(record, cols):
            # An unfilled row of the template: named in the coverage check below.
            c.output_only.append((rel, table.sheet, row, record.get("output"), sector))
            continue
        ok = True
        output = _resolve_output(c, rel, table, row, cols["output"], record.get("output"), sector, info.bureau)
        ok &= output is not None
        objectives: tuple[str, ...] = ()
        raw_objectives = record.get("objective")
        if output is not None and raw_objectives is not None:
            objectives, objectives_ok = _objectives(c, rel, table, row, cols["objective"], raw_objectives, output)
            ok &= objectives_ok
        raw_name = record.get("kpi")
        name = _text(c, rel, table, row, cols, "kpi", record, lengths)
        if name is None:
            c.add(ERROR, rel, table.sheet, row, cols["kpi"], "KPI is empty: enter the indicator's name")
            ok = False
        elif type(raw_name) is str and raw_name[:1].isspace() | raw_name[-1:].isspace():
            c.add(WARNING, rel, table.sheet, row, cols["kpi"],
                  f"KPI '{raw_name}' has spaces before or after it: they were ignored")
        pointed: list[str] = []
        target, target_ok = _number(c, rel, table, row, cols, "target", record, "120", pointed)
        if target_ok and target is None:
            c.add(ERROR, rel, table.sheet, row, cols["target"],
                  "Target is empty: enter this year's target as a number, e.g. 120")
        ok &= target_ok and target is not None
        baseline, baseline_ok = _number(c, rel, table, row, cols, "baseline", record, "100", pointed)
        actual, actual_ok = _number(c, rel, table, row, cols, "actual", record, "95", pointed)
        ok &= baseline_ok and actual_ok
        raw_direction = text_value(record.get("direction"))
        direction = raw_direction.lower() if raw_direction else directions.default
        if direction not in directions.choices:
            c.add(ERROR, rel, table.sheet, row, cols["direction"],
                  f"Direction is '{raw_direction}': enter 'higher' or 'lower' (empty means higher)")
            ok = False
        elif direction == "lower" and target == 0 and baseline is None:
            c.add(WARNING, rel, table.sheet, row, cols["target"],
                  "Target is 0 with direction 'lower': any actual above 0 counts as not achieved; "
                  "check the target or give a baseline")
        # (most comments are empty: no call for them)
        unit = None if record.get("unit") is None else _text(c, rel, table, row, cols, "unit", record, lengths)
        comment = None if record.get("comment") is None else _text(c, rel, table, row, cols, "comment", record, lengths)
        if not ok:
            continue
        assert output is not None and name is not None and target is not None
        # Most rows have figures of one size: the slip check proper runs only for the others.
        if ((actual and not _NEAR[0] < actual / target < _NEAR[1]) if target else actual and baseline) \
                or (baseline and not _NEAR[0] < baseline / target < _NEAR[1]) \
                or (actual and baseline and not _NEAR[0] < actual / baseline < _NEAR[1]) \
                or pointed:
            _check_slips(c, rel, table, row, cols, record, (("baseline", baseline), ("target", target),
                                                            ("actual", actual)))
        c.kpis.append(KPIEntry(
            bureau=info.bureau, sector=sector, output=output, kpi=name,
            unit=unit, baseline=baseline, target=target,
            actual=actual, direction=direction, comment=comment,
            source=Source(rel, table.sheet, row), language=info.language, objectives=objectives,
        ))


def _objectives(c: _Collector, rel: str, table: Table, row: int, column: Column, raw: Any,
                output: str) -> tuple[tuple[str, ...], bool]:
    """(codes, ok) of an Objective cell (contract 8.1): comma-separated codes, each one of the
    output's objectives; empty means all of them (an empty tuple)."""
    text = text_value(raw)
    if text is None:
        return (), True
    allowed = c.plan.output(output).objectives
    by_fold = {code.casefold(): code for code in allowed}
    codes: list[str] = []
    wrong: list[str] = []
    for part in _CONTROL.sub(" ", text).split(","):
        part = part.strip()
        if not part:
            continue
        code = by_fold.get(part.casefold())
        if code is None:
            wrong.append(part)
        elif code not in codes:
            codes.append(code)
    if wrong or not codes:
        named = ", ".join(f"'{w}'" for w in wrong) or f"'{text}'"
        c.add(ERROR, rel, table.sheet, row, column,
              f"Objective {named} is not an objective of output {output} (its objectives: "
              f"{', '.join(allowed)}): enter one or more of them separated by commas, or leave the cell "
              "empty for all of them")
        return (), False
    return tuple(codes), True


def _check_slips(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
                 record: dict[str, Any], values: tuple[tuple[str, float | None], ...]) -> None:
    """A warning at a number that is most likely a typing slip: about 1000 times smaller or
    larger than another figure of its row (3.731 for 3,731), or text such as '1.250', which the
    contract reads as 1.25 but which may have meant one thousand two hundred and fifty."""
    warned: set[str] = set()
    low, high = _SLIP_RATIO
    for index, (key, value) in enumerate(values):
        if not value:
            continue
        for other_key, other in values[index + 1:]:
            if not other or (value > 0) != (other > 0):
                continue
            ratio = value / other
            if low <= ratio <= high or low <= 1 / ratio <= high:
                small, small_value, big, big_value = ((other_key, other, key, value) if abs(value) > abs(other)
                                                      else (key, value, other_key, other))
                if small in warned:
                    continue
                warned.add(small)
                column, big_column = cols[small], cols[big]
                c.add(WARNING, rel, table.sheet, row, column,
                      f"{column.header} ({small_value:g}) is about {abs(big_value / small_value):,.0f} times "
                      f"smaller than {big_column.header} ({big_value:,.15g}), which looks like a typing slip: "
                      f"if a point was meant to separate thousands, type {small_value * 1000:,.15g} "
                      "without it (a point marks decimals); otherwise check both figures")
    for key, value in values:
        raw = record.get(key)
        if key not in warned and value and type(raw) is str and _POINT_THOUSANDS.fullmatch(raw):
            column = cols[key]
            c.add(WARNING, rel, table.sheet, row, column,
                  f"{column.header} '{raw.strip()}' was read as {value:g} (a point marks decimals): if you "
                  f"meant {value * 1000:,.15g}, type it without the point, e.g. {value * 1000:.15g}; "
                  "otherwise type the number in a number cell")


def _check_finance(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "finance")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    for row, record in table.rows:
        if _only_output(record, cols):
            c.add(WARNING, rel, table.sheet, row, cols["output"],
                  "this row has an Output but no Budget or Expenditure: it was skipped; fill it in or delete it")
            continue
        output = _resolve_output(c, rel, table, row, cols["output"], _cell(record, cols, "output"),
                                 sector, info.bureau)
        pointed: list[str] = []
        budget, budget_ok = _number(c, rel, table, row, cols, "budget", record, "1250", pointed)
        spent, spent_ok = _number(c, rel, table, row, cols, "expenditure", record, "1180", pointed)
        ok = output is not None and budget_ok and spent_ok
        for key, value in (("budget", budget), ("expenditure", spent)):
            minimum = format.FINANCE.by_key[key].minimum
            if value is not None and minimum is not None and value < minimum:
                c.add(ERROR, rel, table.sheet, row, cols[key],
                      f"{cols[key].header} is negative ({value:g}): enter the amount in thousands of CHF, 0 or more")
                ok = False
        if ok and (budget is None or spent is None or budget == 0):
            key, reason = (("budget", "Budget is empty") if budget is None else
                           ("expenditure", "Expenditure is empty") if spent is None else ("budget", "Budget is 0"))
            c.add(WARNING, rel, table.sheet, row, cols.get(key, key.capitalize()),
                  f"{reason}: the execution rate of this output cannot be computed; enter both amounts")
        if ok:
            assert output is not None
            if budget and spent and not _NEAR[0] < spent / budget < _NEAR[1] \
                    or pointed:
                _check_slips(c, rel, table, row, cols, record, (("budget", budget), ("expenditure", spent)))
            c.finance.append(FinanceEntry(info.bureau, output, budget, spent, Source(rel, table.sheet, row)))


def _refers_to(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
               record: dict[str, Any], sector: str) -> str | None:
    text = text_value(_cell(record, cols, "refersto"))
    if text is None:
        return None
    code = c.plan.find_code(text, sector)
    if code is None:
        c.add(WARNING, rel, table.sheet, row, cols["refersto"],
              f"Refers to '{text}' is not a goal, objective or output of the plan: the row is "
              "shown under the plan as a whole; use a code such as G1, R2 or R-05")
    return code


def _check_proposals(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "proposals")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    for row, record in table.rows:
        text = _text(c, rel, table, row, cols, "proposal", record, MAX_LENGTH["proposals"])
        if text is None:
            c.add(ERROR, workbook.file, table.sheet, row, cols["proposal"],
                  "Proposal is empty: write the proposal's text or delete the row")
            continue
        body = _text(c, rel, table, row, cols, "source", record, MAX_LENGTH["proposals"])
        if body is None:
            c.add(WARNING, workbook.file, table.sheet, row, cols.get("source", "Source"),
                  "Source is empty: name the advisory group or conference (e.g. RAG, WRC-07)")
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        ref = _text(c, rel, table, row, cols, "ref", record, MAX_LENGTH["proposals"])
        c.proposals.append(ProposalEntry(info.bureau, body or "unspecified", refers, text,
                                         Source(workbook.file, table.sheet, row), ref))


def _check_highlights(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "highlights")
    if found is None:
        return
    table, cols = found
    for row, record in table.rows:
        text = _text(c, workbook.file, table, row, cols, "text", record, MAX_LENGTH["highlights"])
        if text is None:
            c.add(ERROR, workbook.file, table.sheet, row, cols["text"],
                  "Text is empty: write the highlight or delete the row")
            continue
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        c.highlights.append(HighlightEntry(info.bureau, refers, text, Source(workbook.file, table.sheet, row)))


def _check_financial_situation(c: _Collector, workbook: Workbook, info: ReturnInfo) -> None:
    """The General Secretariat's Financial situation: fixed items, each once, amounts in
    thousands of CHF. Another bureau's sheet is named and ignored."""
    sheet = format.FINANCIAL_SITUATION
    found = _columns(c, workbook, sheet.key)
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    if sheet.bureaux and info.bureau not in sheet.bureaux:
        c.add(WARNING, rel, table.sheet, table.header_row, None,
              f"only the General Secretariat reports the Union's financial situation: this sheet of a "
              f"{info.bureau} return was ignored; delete it or send it to the Strategic Planning Unit")
        return
    items = {header_key(item): item for item in format.FINANCIAL_ITEMS}
    seen: dict[str, int] = {}
    for row, record in table.rows:
        text = text_value(_cell(record, cols, "item"))
        item = items.get(header_key(text)) if text else None
        if item is None:
            c.add(ERROR, rel, table.sheet, row, cols.get("item", "Item"),
                  f"Item is '{text or ''}': choose one of {', '.join(format.FINANCIAL_ITEMS)}")
            continue
        if item in seen:
            c.add(ERROR, rel, table.sheet, row, cols["item"],
                  f"'{item}' is given twice (rows {seen[item]} and {row}): keep one row; row {row} was not used")
            continue
        amount, ok = _number(c, rel, table, row, cols, "amount", record, "41250")
        if not ok:
            continue
        if amount is None:
            c.add(WARNING, rel, table.sheet, row, cols.get("amount", "Amount"),
                  f"Amount of '{item}' is empty: enter it in thousands of CHF, or delete the row")
            continue
        if amount < 0:
            c.add(ERROR, rel, table.sheet, row, cols["amount"],
                  f"Amount is negative ({amount:g}): enter the amount in thousands of CHF, 0 or more")
            continue
        seen[item] = row
        c.financial.append(FinancialItem(item, amount, Source(rel, table.sheet, row)))


# -- checks across workbooks -----------------------------------------------------------------

def _duplicates(c: _Collector, entries: list, key: Callable[[Any], tuple], what: Callable[[Any], str],
                column: str, fix: str = "keep one row") -> list:
    keys = [key(entry) for entry in entries]
    groups: dict[tuple, list] = defaultdict(list)
    for entry, entry_key in zip(entries, keys):
        groups[entry_key].append(entry)
    kept = []
    for entry, entry_key in zip(entries, keys):
        group = groups[entry_key]
        if len(group) == 1:
            kept.append(entry)
            continue
        others = ", ".join(e.source.label() for e in group if e is not entry)
        c.add(ERROR, entry.source.file, entry.source.sheet, entry.source.row, column,
              f"{what(entry)} appears {len(group)} times (also at {others}): {fix}; "
              "none of them was used")
    return kept


def _drop_duplicate_kpis(c: _Collector) -> list[KPIEntry]:
    return _duplicates(c, c.kpis, lambda e: (e.output, fold(e.kpi)),
                       lambda e: f"KPI '{e.kpi}' of output {e.output}", "KPI")


def _drop_duplicate_finance(c: _Collector) -> list[FinanceEntry]:
    return _duplicates(c, c.finance, lambda e: (e.output,),
                       lambda e: f"the finance row of output {e.output}", "Output")


def _drop_duplicate_refs(c: _Collector) -> list[ProposalEntry]:
    """A proposal's Ref is unique within a year (contract 8.2): every proposal whose Ref stands
    twice gets an error at its row and is left out."""
    with_ref = [p for p in c.proposals if p.ref]
    kept = {id(p) for p in _duplicates(c, with_ref, lambda p: (fold(p.ref),),
                                       lambda p: f"the proposal reference '{p.ref}'", "Ref",
                                       "give each proposal its own reference")}
    return [p for p in c.proposals if not p.ref or id(p) in kept]


def _check_coverage(c: _Collector, kpis: list[KPIEntry]) -> None:
    sent = {r.bureau for r in c.returns}
    reported = {k.output for k in kpis}
    # An output with no KPI is named at its unfilled row where there is one; other unfilled rows
    # are named one by one.
    unfilled: dict[str, tuple[str, str, int]] = {}
    for file, sheet, row, text, sector in c.output_only:
        output = c.plan.find_output(str(text), sector)
        if output is not None and output.sector == sector and output.code not in reported \
                and output.code not in unfilled:
            unfilled[output.code] = (file, sheet, row)
        else:
            c.add(WARNING, file, sheet, row, "Output",
                  f"this row has an Output ('{text_value(text)}') but nothing else: it was skipped; "
                  "fill in the KPI, its Target and Actual, or delete the row")
    for sector in c.plan.sectors:
        if sector.bureau not in sent:
            c.problems.append(Problem(
                WARNING, None, None, None, None,
                f"no return received from {sector.bureau} ({sector.bureau_name}): "
                f"the {sector.name} chapter shows no results", bureau=sector.bureau))
            continue
        for output in sector.outputs:
            if output.code not in reported:
                file, sheet, row = unfilled.get(output.code, (None, None, None))
                c.problems.append(Problem(
                    WARNING, file, sheet, row, "Output" if row else None,
                    f"output {output.code} ({output.name}) has no KPI in the {sector.bureau} "
                    "return: add at least one indicator for it", bureau=sector.bureau))


def _check_names_against(c: _Collector, kpis: list[KPIEntry], earlier: YearData) -> None:
    """A KPI written with other case or spacing than last year is matched, with a warning."""
    before = {(k.bureau, k.output, fold(k.kpi)): k.kpi for k in earlier.kpis}
    for entry in kpis:
        old = before.get((entry.bureau, entry.output, fold(entry.kpi)))
        if old is not None and old != entry.kpi:
            c.add(WARNING, entry.source.file, entry.source.sheet, entry.source.row, "KPI",
                  f"KPI '{entry.kpi}' was written '{old}' in {earlier.year}: matched anyway; "
                  "keep one spelling so the years line up")
