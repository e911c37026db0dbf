"""One cell of a return, as the contract reads it: numbers, texts, outputs, objectives, and the
typing slips worth a word; and the `Collector` that gathers a year's problems, each at its file,
sheet, Excel row and column. Shared by the checks of whole sheets (`validate`) and of whole
columns (`kpisheet`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from reportgen import format
from reportgen.format import Severity
from reportgen.model import (FinanceEntry, FinancialItem, HighlightEntry, KPIEntry, Problem, ProposalEntry, ReturnInfo)
from reportgen.pipeline.ingest import Column, Table
from reportgen.plan.loader import Output, Plan
from reportgen.util import glyphs

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# The longest text each text column may hold (the report's page must hold it): {sheet: {key: n}}.
MAX_LENGTH: dict[str, dict[str, int]] = {
    sheet.key: {c.key: c.max_length for c in sheet.columns if c.max_length} for sheet in format.SHEETS}
# Characters that neither a workbook (XML 1.0) nor the report can hold: a vertical tab pasted
# from Word arrives as one of these. Tab, line feed and carriage return are allowed.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text such as "1.250": a point and exactly three digits, as Europeans group thousands. Read as
# 1.25 (the contract's reading), and worth a word.
POINT_THOUSANDS = re.compile(r"\s*[+-]?\d{1,3}\.\d{3}\s*%?\s*")
# Two values of one row this many times apart are one typing slip (a point for a thousands
# separator, thousands of CHF typed as CHF) more likely than a fact.
SLIP_RATIO = (500.0, 2000.0)
NEAR = (1 / SLIP_RATIO[0], SLIP_RATIO[0])  # two figures closer than this are no slip
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
class Collector:
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
            message = CONTROL.sub(" ", message)
        if isinstance(column, Column):
            cell = f"{column.letter}{row}" if row else None
            self.problems.append(Problem(severity, file, sheet, row, column.header, message, cell))
        else:
            self.problems.append(Problem(severity, file, sheet, row, column, message))


def clean_text(c: Collector, rel: str, sheet: str | None, row: int | None, header: str, raw: Any,
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
    return unusual_text(c, rel, sheet, row, header, text, max_length, cell)


def unusual_text(c: Collector, rel: str, sheet: str | None, row: int | None, header: str, text: str,
                  max_length: int | None, cell: str | None) -> str | None:
    def warn(message: str) -> None:
        c.problems.append(Problem(WARNING, rel, sheet, row, header, message, cell))

    controls = CONTROL.findall(text)
    if controls:
        text = CONTROL.sub(" ", text).strip()
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


def row_text(c: Collector, rel: str, table: Table, row: int, cols: dict[str, Column], key: str,
          record: dict[str, Any], lengths: dict[str, int]) -> str | None:
    """`clean_text` for the cell of column `key` in a data sheet's row; `lengths` is the sheet's
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
    return unusual_text(c, rel, table.sheet, row, column.header, text, max_length, f"{column.letter}{row}")


def cell(record: dict[str, Any], cols: dict[str, Column], key: str) -> Any:
    # A record is keyed by the keys of its table's columns, as `cols` is (the first column of a
    # header written twice in both): a key not in `cols` is not in the record either.
    return record.get(key)


def only_output(record: dict[str, Any], cols: dict[str, Column]) -> bool:
    """A row of the blank return that was not filled in: its pre-filled Output and nothing else."""
    filled = 0  # rows with nothing at all are not in the table
    for value in record.values():  # a filled row shows a second value at once (its KPI name)
        if value is not None:
            filled += 1
            if filled > 1:
                return False
    return record.get("output") is not None


def row_number(c: Collector, rel: str, table: Table, row: int, cols: dict[str, Column],
               key: str, record: dict[str, Any], example: str,
               pointed: list[str] | None = None) -> tuple[float | None, bool]:
    """(value, ok): an error is recorded when the cell holds something that is not a number.
    Text such as '1.250' adds `key` to `pointed` (see check_slips)."""
    raw = record.get(key)
    if pointed is not None and type(raw) is str and "." in raw and POINT_THOUSANDS.fullmatch(raw):
        pointed.append(key)
    try:
        return parse_number(raw), True
    except ValueError:
        c.add(ERROR, rel, table.sheet, row, cols[key], not_a_number(cols[key].header, raw, example))
        return None, False


def not_a_number(header: str, raw: Any, example: str) -> str:
    """The message for a cell of a number column that holds something else."""
    hint = " (a comma may only separate thousands: use a point for decimals)" if "," in str(raw) else ""
    return f"{header} is '{text_value(raw)}': enter a number, e.g. {example}{hint}"


def output_verdict(plan: Plan, named: dict[tuple[str, str], Output | None], raw: Any, sector: str,
                   bureau: str) -> tuple[str | None, tuple[tuple[Severity, str], ...]]:
    """(the plan's output code or None, what to say) for an Output cell of `bureau`'s return.
    `named` remembers the plan's answer for each (text, sector): returns name the same
    outputs again and again."""
    text = text_value(raw)
    if text is None:
        return None, ((ERROR, f"Output is empty: enter a code such as {plan.sector(sector).outputs[0].code} "
                              "or the output's name as printed in the plan"),)
    found = (text, sector)
    if found not in named:
        named[found] = plan.find_output(text, sector)
    output = named[found]
    if output is None:
        suggestions = "; ".join(plan.similar_outputs(text, sector))
        return None, ((ERROR, f"Output '{text}' is not an output of the plan: use a code or the name as printed "
                              f"in the plan (closest: {suggestions})"),)
    if output.sector != sector:
        owner = plan.sector(output.sector)
        return None, ((ERROR, f"Output '{text}' ({output.code} {output.name}) belongs to {owner.name}, not to "
                              f"{bureau}'s sector: report it in the {owner.bureau} return or correct the output"),)
    if text != str(raw):
        return output.code, ((WARNING, f"Output '{raw}' has spaces before or after it: matched as "
                                       f"{output.code} anyway"),)
    return output.code, ()


def resolve_output(c: Collector, rel: str, table: Table, row: int, column: Column,
                   raw: Any, sector: str, bureau: str) -> str | None:
    code, notes = output_verdict(c.plan, c.outputs_named, raw, sector, bureau)
    for severity, message in notes:
        c.add(severity, rel, table.sheet, row, column, message)
    return code


def objective_verdict(plan: Plan, raw: Any, output: str) -> tuple[tuple[str, ...], str | None]:
    """(codes, error) of an Objective cell (contract 8.1): comma-separated codes, each one of
    the output's objectives; empty means all of them (an empty tuple)."""
    text = text_value(raw)
    if text is None:
        return (), None
    allowed = plan.output(output).objectives
    by_fold = {code.casefold(): code for code in allowed}
    codes: list[str] = []
    wrong: list[str] = []
    for part in CONTROL.sub(" ", text).split(","):
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
        return (), (f"Objective {named} is not an objective of output {output} (its objectives: "
                    f"{', '.join(allowed)}): enter one or more of them separated by commas, or leave the cell "
                    "empty for all of them")
    return tuple(codes), None


def check_slips(c: Collector, rel: str, sheet: str, row: int, cols: dict[str, Column],
                 record: dict[str, Any], values: tuple[tuple[str, float | None], ...]) -> None:
    """A warning at a number that is most likely a typing slip: about 1000 times smaller or
    larger than another figure of its row (3.731 for 3,731), or text such as '1.250', which the
    contract reads as 1.25 but which may have meant one thousand two hundred and fifty."""
    warned: set[str] = set()
    low, high = SLIP_RATIO
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
                c.add(WARNING, rel, sheet, row, column,
                      f"{column.header} ({small_value:g}) is about {abs(big_value / small_value):,.0f} times "
                      f"smaller than {big_column.header} ({big_value:,.15g}), which looks like a typing slip: "
                      f"if a point was meant to separate thousands, type {small_value * 1000:,.15g} "
                      "without it (a point marks decimals); otherwise check both figures")
    for key, value in values:
        raw = record.get(key)
        if key not in warned and value and type(raw) is str and POINT_THOUSANDS.fullmatch(raw):
            column = cols[key]
            c.add(WARNING, rel, sheet, row, column,
                  f"{column.header} '{raw.strip()}' was read as {value:g} (a point marks decimals): if you "
                  f"meant {value * 1000:,.15g}, type it without the point, e.g. {value * 1000:.15g}; "
                  "otherwise type the number in a number cell")


def duplicates(c: Collector, entries: list, key: Callable[[Any], tuple], what: Callable[[Any], str],
               column: str, fix: str = "keep one row", source: Callable[[Any], Any] = lambda e: e.source) -> list:
    """The entries whose key no other entry has; each of the others gets an error at its row
    naming where its twins stand, and none of them is used."""
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
        others = ", ".join(source(e).label() for e in group if e is not entry)
        where = source(entry)
        c.add(ERROR, where.file, where.sheet, where.row, column,
              f"{what(entry)} appears {len(group)} times (also at {others}): {fix}; "
              "none of them was used")
    return kept
