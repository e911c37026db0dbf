"""The contract's rules for returns (contract section 2): turn read tables into valid entries
and a list of problems, each at its file, sheet, Excel row and column, with how to fix it.

A row with an error is left out of the figures and listed; a warning keeps the row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from reportgen.pipeline.ingest import Column, Table, Workbook, column_letter
from reportgen.model import (FinanceEntry, HighlightEntry, KPIEntry, Problem, ProposalEntry, ReturnInfo,
                    Source, YearData)
from reportgen.plan.loader import Output, Plan
from reportgen.util.text import fold, header_key

KNOWN_SHEETS = ("About", "KPIs", "Finance", "Proposals", "Highlights")
# Sheets of the blank return (`reportgen template`) that hold guidance, not data.
GUIDANCE_SHEETS = ("Instructions", "Outputs", "Problems")
SHEET_COLUMNS: dict[str, dict[str, str]] = {  # sheet -> {column key: header as documented}
    "kpis": {k: v for k, v in ((header_key(h), h) for h in
             ("Output", "KPI", "Unit", "Baseline", "Target", "Actual", "Direction", "Comment"))},
    "finance": {header_key(h): h for h in ("Output", "Budget", "Expenditure")},
    "proposals": {header_key(h): h for h in ("Source", "Refers to", "Proposal")},
    "highlights": {header_key(h): h for h in ("Refers to", "Text")},
}
REQUIRED = {
    "kpis": ("output", "kpi", "target"),
    "finance": ("output",),
    "proposals": ("proposal",),
    "highlights": ("text",),
}
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
    # Rows holding nothing but an Output (unfilled rows of the template): (file, sheet, row, text).
    output_only: list[tuple[str, str, int, Any, str]] = field(default_factory=list)
    # The plan's output for each (text, sector) met so far: returns name the same outputs again and again.
    outputs_named: dict[tuple[str, str], Output | None] = field(default_factory=dict)

    def add(self, severity: str, file: str, sheet: str | None, row: int | None,
            column: Column | str | None, message: str) -> None:
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
    c.problems[:0] = read_problems  # the files' own problems first, as they were found
    kpis = _drop_duplicate_kpis(c)
    finance = _drop_duplicate_finance(c)
    _check_coverage(c, kpis)
    if earlier is not None:
        _check_names_against(c, kpis, earlier)
    return YearData(year, tuple(c.returns), tuple(kpis), tuple(finance), tuple(c.proposals),
                    tuple(c.highlights), tuple(c.problems))


# -- About and sheet names -------------------------------------------------------------------

def _check_about(c: _Collector, workbook: Workbook) -> ReturnInfo | None:
    rel = workbook.file
    about = workbook.tables.get("about")
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    if about is not None:
        for excel_row, cells in about.raw_rows:
            present = [v for v in cells if v is not None]
            if len(present) >= 1 and isinstance(present[0], str):
                key = header_key(present[0])
                values.setdefault(key, present[1] if len(present) > 1 else None)
                rows.setdefault(key, excel_row)
    bureau_text = text_value(values.get("bureau"))
    bureau = None
    if bureau_text:
        bureau = bureau_text.upper()
        if c.plan.sector_of_bureau(bureau) is None:
            known = ", ".join(s.bureau for s in c.plan.sectors)
            c.add("error", rel, about.sheet if about else None, rows.get("bureau"), "Bureau",
                  f"Bureau '{bureau_text}' is not one of {known}: enter one of them; the file was not used")
            return None
    else:
        match = re.match(r"[A-Za-z]+", workbook.path.name)
        letters = match.group(0).upper() if match else ""
        if c.plan.sector_of_bureau(letters) is None:
            known = ", ".join(s.bureau for s in c.plan.sectors)
            where = "the About sheet has no Bureau and " if about else ""
            c.add("error", rel, None, None, None,
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
            c.add("error", rel, about.sheet if about else None, rows.get("year"), "Year",
                  f"Year is '{text_value(year_value)}' but the file is in the folder for {c.year}: "
                  f"move it to the right year's folder or correct the Year; the file was not used")
            return None
    return ReturnInfo(
        file=rel,
        bureau=bureau,
        prepared_by=text_value(values.get("preparedby")),
        date=text_value(values.get("date")),
        data_status=text_value(values.get("datastatus")),
        language=text_value(values.get("language")),
    )


def _check_sheets(c: _Collector, workbook: Workbook) -> None:
    known = {header_key(s) for s in KNOWN_SHEETS + GUIDANCE_SHEETS}
    for key, table in workbook.tables.items():
        if key not in known and table.raw_rows:
            c.add("warning", workbook.file, table.sheet, None, None,
                  f"sheet '{table.sheet}' is not one the report reads ({', '.join(KNOWN_SHEETS)}): "
                  "its content was ignored; move the data to the right sheet")
    if "kpis" not in workbook.tables:
        c.add("error", workbook.file, None, None, None,
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
            c.add("error", rel, table.sheet, first_row, None,
                  "no header row found (a row with at least two column names such as "
                  f"{', '.join(list(SHEET_COLUMNS[sheet_key].values())[:3])}): add the header row; "
                  "nothing on this sheet was used")
        return None
    expected = SHEET_COLUMNS[sheet_key]
    by_key: dict[str, Column] = {}
    for column in table.columns:
        if column.key in by_key:
            c.add("error", rel, table.sheet, table.header_row, column,
                  f"the header '{column.header}' appears twice (columns {by_key[column.key].letter} and "
                  f"{column.letter}): rename or delete one; only column {by_key[column.key].letter} was read")
            continue
        if column.key not in expected:
            c.add("warning", rel, table.sheet, table.header_row, column,
                  f"unknown column '{column.header}' was ignored (columns read: {', '.join(expected.values())})")
        by_key[column.key] = column
    # Each row with values in a column that has no header is named, so that nothing is dropped
    # without a word.
    for row in sorted({r for r, _, _ in table.stray}):
        letters = [column_letter(i) for r, i, _ in table.stray if r == row]
        c.add("warning", rel, table.sheet, row, letters[0],
              f"value(s) in column {', '.join(letters)}, which has no header, were ignored: give the "
              "column a header the contract names or move the values")
    missing = [expected[k] for k in REQUIRED[sheet_key] if k not in by_key]
    if missing:
        c.add("error", rel, table.sheet, table.header_row, None,
              f"required column(s) {', '.join(missing)} missing from the header row: add them; "
              "nothing on this sheet was used")
        return None
    return table, by_key


def _cell(record: dict[str, Any], cols: dict[str, Column], key: str) -> Any:
    return record.get(cols[key].key) if key in cols else None


def _only_output(record: dict[str, Any], cols: dict[str, Column]) -> bool:
    """A row of the blank return that was not filled in: its pre-filled Output and nothing else."""
    values = list(record.values())
    filled = len(values) - values.count(None)  # rows with nothing at all are not in the table
    return filled == 1 and record.get(cols["output"].key) is not None


def _number(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
            key: str, record: dict[str, Any], example: str) -> tuple[float | None, bool]:
    """(value, ok): an error is recorded when the cell holds something that is not a number."""
    raw = _cell(record, cols, key)
    try:
        return parse_number(raw), True
    except ValueError:
        hint = (" (a comma may only separate thousands: use a point for decimals)"
                if "," in str(raw) else "")
        c.add("error", rel, table.sheet, row, cols[key],
              f"{cols[key].header} is '{text_value(raw)}': enter a number, e.g. {example}{hint}")
        return None, False


def _resolve_output(c: _Collector, rel: str, table: Table, row: int, column: Column,
                    raw: Any, sector: str, bureau: str) -> str | None:
    text = text_value(raw)
    if text is None:
        c.add("error", rel, table.sheet, row, column,
              f"Output is empty: enter a code such as {c.plan.sector(sector).outputs[0].code} "
              "or the output's name as printed in the plan")
        return None
    found = (text, sector)
    if found not in c.outputs_named:
        c.outputs_named[found] = c.plan.find_output(text, sector)
    output = c.outputs_named[found]
    if output is None:
        suggestions = "; ".join(c.plan.similar_outputs(text, sector))
        c.add("error", rel, table.sheet, row, column,
              f"Output '{text}' is not an output of the plan: use a code or the name as printed "
              f"in the plan (closest: {suggestions})")
        return None
    if output.sector != sector:
        owner = c.plan.sector(output.sector)
        c.add("error", rel, table.sheet, row, column,
              f"Output '{text}' ({output.code} {output.name}) belongs to {owner.name}, not to "
              f"{bureau}'s sector: report it in the {owner.bureau} return or correct the output")
        return None
    if text != str(raw):
        c.add("warning", rel, table.sheet, row, column,
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
        c.add("warning", rel, table.sheet, table.header_row, None,
              "the KPIs sheet has a header but no indicator below it: fill in one row per KPI")
    for row, record in table.rows:
        if _only_output(record, cols):
            # An unfilled row of the template: named in the coverage check below.
            c.output_only.append((rel, table.sheet, row, _cell(record, cols, "output"), sector))
            continue
        ok = True
        output = _resolve_output(c, rel, table, row, cols["output"], _cell(record, cols, "output"),
                                 sector, info.bureau)
        ok &= output is not None
        raw_name = _cell(record, cols, "kpi")
        name = text_value(raw_name)
        if name is None:
            c.add("error", rel, table.sheet, row, cols["kpi"], "KPI is empty: enter the indicator's name")
            ok = False
        elif name != str(raw_name):
            c.add("warning", rel, table.sheet, row, cols["kpi"],
                  f"KPI '{raw_name}' has spaces before or after it: they were ignored")
        target, target_ok = _number(c, rel, table, row, cols, "target", record, "120")
        if target_ok and target is None:
            c.add("error", rel, table.sheet, row, cols["target"],
                  "Target is empty: enter this year's target as a number, e.g. 120")
        ok &= target_ok and target is not None
        baseline, baseline_ok = _number(c, rel, table, row, cols, "baseline", record, "100")
        actual, actual_ok = _number(c, rel, table, row, cols, "actual", record, "95")
        ok &= baseline_ok and actual_ok
        raw_direction = text_value(_cell(record, cols, "direction"))
        direction = (raw_direction or "higher").lower()
        if direction not in ("higher", "lower"):
            c.add("error", rel, table.sheet, row, cols["direction"],
                  f"Direction is '{raw_direction}': enter 'higher' or 'lower' (empty means higher)")
            ok = False
        elif direction == "lower" and target == 0 and baseline is None:
            c.add("warning", rel, table.sheet, row, cols["target"],
                  "Target is 0 with direction 'lower': any actual above 0 counts as not achieved; "
                  "check the target or give a baseline")
        if not ok:
            continue
        assert output is not None and name is not None and target is not None
        c.kpis.append(KPIEntry(
            bureau=info.bureau, sector=sector, output=output, kpi=name,
            unit=text_value(_cell(record, cols, "unit")), baseline=baseline, target=target,
            actual=actual, direction=direction, comment=text_value(_cell(record, cols, "comment")),
            source=Source(rel, table.sheet, row), language=info.language,
        ))


def _check_finance(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "finance")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    for row, record in table.rows:
        if _only_output(record, cols):
            c.add("warning", rel, table.sheet, row, cols["output"],
                  "this row has an Output but no Budget or Expenditure: it was skipped; fill it in or delete it")
            continue
        output = _resolve_output(c, rel, table, row, cols["output"], _cell(record, cols, "output"),
                                 sector, info.bureau)
        budget, budget_ok = _number(c, rel, table, row, cols, "budget", record, "1250")
        spent, spent_ok = _number(c, rel, table, row, cols, "expenditure", record, "1180")
        ok = output is not None and budget_ok and spent_ok
        for key, value in (("budget", budget), ("expenditure", spent)):
            if value is not None and value < 0:
                c.add("error", rel, table.sheet, row, cols[key],
                      f"{cols[key].header} is negative ({value:g}): enter the amount in thousands of CHF, 0 or more")
                ok = False
        if ok and (budget is None or spent is None or budget == 0):
            key, reason = (("budget", "Budget is empty") if budget is None else
                           ("expenditure", "Expenditure is empty") if spent is None else ("budget", "Budget is 0"))
            c.add("warning", rel, table.sheet, row, cols.get(key, key.capitalize()),
                  f"{reason}: the execution rate of this output cannot be computed; enter both amounts")
        if ok:
            assert output is not None
            c.finance.append(FinanceEntry(info.bureau, output, budget, spent, Source(rel, table.sheet, row)))


def _refers_to(c: _Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
               record: dict[str, Any], sector: str) -> str | None:
    text = text_value(_cell(record, cols, "refersto"))
    if text is None:
        return None
    code = c.plan.find_code(text, sector)
    if code is None:
        c.add("warning", rel, table.sheet, row, cols["refersto"],
              f"Refers to '{text}' is not a goal, objective or output of the plan: the row is "
              "shown under the plan as a whole; use a code such as G1, R2 or R-05")
    return code


def _check_proposals(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "proposals")
    if found is None:
        return
    table, cols = found
    for row, record in table.rows:
        text = text_value(_cell(record, cols, "proposal"))
        if text is None:
            c.add("error", workbook.file, table.sheet, row, cols["proposal"],
                  "Proposal is empty: write the proposal's text or delete the row")
            continue
        body = text_value(_cell(record, cols, "source"))
        if body is None:
            c.add("warning", workbook.file, table.sheet, row, cols.get("source", "Source"),
                  "Source is empty: name the advisory group or conference (e.g. RAG, WRC-07)")
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        c.proposals.append(ProposalEntry(info.bureau, body or "unspecified", refers, text,
                                         Source(workbook.file, table.sheet, row)))


def _check_highlights(c: _Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "highlights")
    if found is None:
        return
    table, cols = found
    for row, record in table.rows:
        text = text_value(_cell(record, cols, "text"))
        if text is None:
            c.add("error", workbook.file, table.sheet, row, cols["text"],
                  "Text is empty: write the highlight or delete the row")
            continue
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        c.highlights.append(HighlightEntry(info.bureau, refers, text, Source(workbook.file, table.sheet, row)))


# -- checks across workbooks -----------------------------------------------------------------

def _duplicates(c: _Collector, entries: list, key: Callable[[Any], tuple], what: Callable[[Any], str],
                column: str) -> list:
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
        c.add("error", entry.source.file, entry.source.sheet, entry.source.row, column,
              f"{what(entry)} appears {len(group)} times (also at {others}): keep one row; "
              "none of them was used")
    return kept


def _drop_duplicate_kpis(c: _Collector) -> list[KPIEntry]:
    return _duplicates(c, c.kpis, lambda e: (e.output, fold(e.kpi)),
                       lambda e: f"KPI '{e.kpi}' of output {e.output}", "KPI")


def _drop_duplicate_finance(c: _Collector) -> list[FinanceEntry]:
    return _duplicates(c, c.finance, lambda e: (e.output,),
                       lambda e: f"the finance row of output {e.output}", "Output")


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
            c.add("warning", file, sheet, row, "Output",
                  f"this row has an Output ('{text_value(text)}') but nothing else: it was skipped; "
                  "fill in the KPI, its Target and Actual, or delete the row")
    for sector in c.plan.sectors:
        if sector.bureau not in sent:
            c.problems.append(Problem(
                "warning", None, None, None, None,
                f"no return received from {sector.bureau} ({sector.bureau_name}): "
                f"the {sector.name} chapter shows no results", bureau=sector.bureau))
            continue
        for output in sector.outputs:
            if output.code not in reported:
                file, sheet, row = unfilled.get(output.code, (None, None, None))
                c.problems.append(Problem(
                    "warning", file, sheet, row, "Output" if row else None,
                    f"output {output.code} ({output.name}) has no KPI in the {sector.bureau} "
                    "return: add at least one indicator for it", bureau=sector.bureau))


def _check_names_against(c: _Collector, kpis: list[KPIEntry], earlier: YearData) -> None:
    """A KPI written with other case or spacing than last year is matched, with a warning."""
    before = {(k.bureau, k.output, fold(k.kpi)): k.kpi for k in earlier.kpis}
    for entry in kpis:
        old = before.get((entry.bureau, entry.output, fold(entry.kpi)))
        if old is not None and old != entry.kpi:
            c.add("warning", entry.source.file, entry.source.sheet, entry.source.row, "KPI",
                  f"KPI '{entry.kpi}' was written '{old}' in {earlier.year}: matched anyway; "
                  "keep one spelling so the years line up")
