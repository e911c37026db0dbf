"""The contract's rules for returns (contract section 2): turn read tables into valid entries
and a list of problems, each at its file, sheet, Excel row and column, with how to fix it.

A row with an error is left out of the figures and listed; a warning keeps the row.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

from reportgen import format
from reportgen.format import Severity
from reportgen.model import (FinanceEntry, FinancialItem, HighlightEntry, KPIEntry, Problem, ProposalEntry, ReturnInfo,
                             Source, YearData)
from reportgen.pipeline.cells import (MAX_LENGTH, NEAR, Collector, cell, check_slips, clean_text, duplicates,
                                      only_output, parse_number, resolve_output, row_number, row_text, text_value)
from reportgen.pipeline import kpisheet
from reportgen.pipeline.ingest import Column, Table, Workbook, column_letter
from reportgen.plan.loader import Plan
from reportgen.util.text import fold, header_key

__all__ = ["KNOWN_SHEETS", "REQUIRED", "SHEET_COLUMNS", "parse_number", "validate_year"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# Everything below is read from the format's statement (reportgen/format.py).
KNOWN_SHEETS = format.SHEET_NAMES
GUIDANCE_SHEETS = format.GUIDANCE_SHEETS
SHEET_COLUMNS: dict[str, dict[str, str]] = {  # sheet -> {column key: header as documented}
    sheet.key: {c.key: c.header for c in sheet.columns} for sheet in format.DATA_SHEETS}
REQUIRED: dict[str, tuple[str, ...]] = {sheet.key: tuple(c.key for c in sheet.required_columns)
                                        for sheet in format.DATA_SHEETS}
_ISO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T][\d:.]+)?")


def validate_year(year: int, workbooks: Iterable[Workbook], read_problems: list[Problem],
                  plan: Plan, earlier: YearData | None = None) -> YearData:
    """Check every workbook of `year` against the contract and the plan.

    `workbooks` may be a generator that reads them: each is checked as it arrives, and
    `read_problems` is only looked at once the last one has been read, so the reader may
    still be adding to it."""
    c = Collector(year, plan)
    kpi_rows = kpisheet.KPIRows(c)
    for workbook in workbooks:
        info = _check_about(c, workbook)
        if info is None:
            continue
        c.returns.append(info)
        _check_sheets(c, workbook)
        sector = plan.sector_of_bureau(info.bureau)
        assert sector is not None  # _check_about only accepts the plan's bureaux
        _check_kpis_header(c, workbook, info, sector.code, kpi_rows)
        _check_finance(c, workbook, info, sector.code)
        _check_proposals(c, workbook, info, sector.code)
        _check_highlights(c, workbook, info, sector.code)
        _check_financial_situation(c, workbook, info)
    checked = kpi_rows.finish()
    c.problems[:0] = read_problems  # the files' own problems first, as they were found
    checked = kpisheet.without_duplicates(c, checked)
    kpis = checked.entries
    finance = _drop_duplicate_finance(c)
    c.proposals = _drop_duplicate_refs(c)
    _check_coverage(c, kpis)
    if earlier is not None:
        kpisheet.check_names_against(c, checked, earlier)
    return YearData(year, tuple(c.returns), tuple(kpis), tuple(finance), tuple(c.proposals),
                    tuple(c.highlights), tuple(c.problems), tuple(c.financial))


# -- About and sheet names -------------------------------------------------------------------

def _check_about(c: Collector, workbook: Workbook) -> ReturnInfo | None:
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
        return clean_text(c, rel, sheet, rows.get(key), format.ABOUT.by_key[key].header, values.get(key),
                      MAX_LENGTH["about"].get(key), cells_at.get(key))

    return ReturnInfo(
        file=rel,
        bureau=bureau,
        prepared_by=text("preparedby"),
        date=_about_date(c, rel, sheet, rows.get("date"), values.get("date"), cells_at.get("date")),
        data_status=text("datastatus"),
        language=text("language"),
    )


def _about_date(c: Collector, rel: str, sheet: str | None, row: int | None, value: Any,
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


def _check_sheets(c: Collector, workbook: Workbook) -> None:
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


def _columns(c: Collector, workbook: Workbook, sheet_key: str) -> tuple[Table, dict[str, Column]] | None:
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


# -- the four data sheets ------------------------------------------------------------------

def _check_kpis_header(c: Collector, workbook: Workbook, info: ReturnInfo, sector: str,
                       kpi_rows: kpisheet.KPIRows) -> None:
    """The KPIs sheet's header, here; its rows join the year's, checked as whole columns once
    every return has arrived (`kpisheet`), their problems put back at this point of the list."""
    found = _columns(c, workbook, "kpis")
    if found is None:
        return
    table, cols = found
    if not table.row_numbers:
        c.add(WARNING, workbook.file, table.sheet, table.header_row, None,
              "the KPIs sheet has a header but no indicator below it: fill in one row per KPI")
    kpi_rows.add(table, cols, workbook.file, info.bureau, sector, info.language, len(c.problems))


def _check_finance(c: Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "finance")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    for row, record in table.rows:
        if only_output(record, cols):
            c.add(WARNING, rel, table.sheet, row, cols["output"],
                  "this row has an Output but no Budget or Expenditure: it was skipped; fill it in or delete it")
            continue
        output = resolve_output(c, rel, table, row, cols["output"], cell(record, cols, "output"),
                                 sector, info.bureau)
        pointed: list[str] = []
        budget, budget_ok = row_number(c, rel, table, row, cols, "budget", record, "1250", pointed)
        spent, spent_ok = row_number(c, rel, table, row, cols, "expenditure", record, "1180", pointed)
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
            if budget and spent and not NEAR[0] < spent / budget < NEAR[1] \
                    or pointed:
                check_slips(c, rel, table.sheet, row, cols, record, (("budget", budget), ("expenditure", spent)))
            c.finance.append(FinanceEntry(info.bureau, output, budget, spent, Source(rel, table.sheet, row)))


def _refers_to(c: Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
               record: dict[str, Any], sector: str) -> str | None:
    text = text_value(cell(record, cols, "refersto"))
    if text is None:
        return None
    code = c.plan.find_code(text, sector)
    if code is None:
        c.add(WARNING, rel, table.sheet, row, cols["refersto"],
              f"Refers to '{text}' is not a goal, objective or output of the plan: the row is "
              "shown under the plan as a whole; use a code such as G1, R2 or R-05")
    return code


def _check_proposals(c: Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "proposals")
    if found is None:
        return
    table, cols = found
    rel = workbook.file
    for row, record in table.rows:
        text = row_text(c, rel, table, row, cols, "proposal", record, MAX_LENGTH["proposals"])
        if text is None:
            c.add(ERROR, workbook.file, table.sheet, row, cols["proposal"],
                  "Proposal is empty: write the proposal's text or delete the row")
            continue
        body = row_text(c, rel, table, row, cols, "source", record, MAX_LENGTH["proposals"])
        if body is None:
            c.add(WARNING, workbook.file, table.sheet, row, cols.get("source", "Source"),
                  "Source is empty: name the advisory group or conference (e.g. RAG, WRC-07)")
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        ref = row_text(c, rel, table, row, cols, "ref", record, MAX_LENGTH["proposals"])
        c.proposals.append(ProposalEntry(info.bureau, body or "unspecified", refers, text,
                                         Source(workbook.file, table.sheet, row), ref))


def _check_highlights(c: Collector, workbook: Workbook, info: ReturnInfo, sector: str) -> None:
    found = _columns(c, workbook, "highlights")
    if found is None:
        return
    table, cols = found
    for row, record in table.rows:
        text = row_text(c, workbook.file, table, row, cols, "text", record, MAX_LENGTH["highlights"])
        if text is None:
            c.add(ERROR, workbook.file, table.sheet, row, cols["text"],
                  "Text is empty: write the highlight or delete the row")
            continue
        refers = _refers_to(c, workbook.file, table, row, cols, record, sector)
        c.highlights.append(HighlightEntry(info.bureau, refers, text, Source(workbook.file, table.sheet, row)))


def _check_financial_situation(c: Collector, workbook: Workbook, info: ReturnInfo) -> None:
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
        text = text_value(cell(record, cols, "item"))
        item = items.get(header_key(text)) if text else None
        if item is None:
            c.add(ERROR, rel, table.sheet, row, cols.get("item", "Item"),
                  f"Item is '{text or ''}': choose one of {', '.join(format.FINANCIAL_ITEMS)}")
            continue
        if item in seen:
            c.add(ERROR, rel, table.sheet, row, cols["item"],
                  f"'{item}' is given twice (rows {seen[item]} and {row}): keep one row; row {row} was not used")
            continue
        amount, ok = row_number(c, rel, table, row, cols, "amount", record, "41250")
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

def _drop_duplicate_finance(c: Collector) -> list[FinanceEntry]:
    return duplicates(c, c.finance, lambda e: (e.output,),
                       lambda e: f"the finance row of output {e.output}", "Output")


def _drop_duplicate_refs(c: Collector) -> list[ProposalEntry]:
    """A proposal's Ref is unique within a year (contract 8.2): every proposal whose Ref stands
    twice gets an error at its row and is left out."""
    with_ref = [p for p in c.proposals if p.ref]
    kept = {id(p) for p in duplicates(c, with_ref, lambda p: (fold(p.ref),),
                                       lambda p: f"the proposal reference '{p.ref}'", "Ref",
                                       "give each proposal its own reference")}
    return [p for p in c.proposals if not p.ref or id(p) in kept]


def _check_coverage(c: Collector, kpis: list[KPIEntry]) -> None:
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
