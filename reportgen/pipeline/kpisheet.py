"""The KPIs sheets of a year's returns, checked as whole columns.

The KPI rows of every return are gathered column by column as the workbooks arrive, each row
keeping its file, sheet and Excel row. The checks then run once per column over the whole year,
as pandas and numpy operations: the cell types, the numbers and their range, the known output
codes (one look-up per distinct name, not per row), the directions, the rows of the template
left unfilled, the figures a thousand times apart. Only the rare cells that need a closer look
(a number typed as text, text no font can draw, a suspected typing slip) go through the
one-cell readers of `cells`.

Every problem is still said at its file, sheet, row and column, and in the order a reader
meets the cells (file, row, then the row's columns), as the row-by-row check said them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any, Callable

from reportgen import format
from reportgen.format import Severity
from reportgen.model import KPIEntry, Problem, Source, YearData
from reportgen.pipeline.cells import (MAX_LENGTH, MAX_NUMBER, NEAR, POINT_THOUSANDS, Collector, check_slips, duplicates, not_a_number,
                                      objective_verdict, output_verdict, parse_number, text_value, unusual_text)
from reportgen.pipeline.ingest import Column, Table
from reportgen.util.text import fold

ERROR, WARNING = Severity.ERROR, Severity.WARNING
KEYS = tuple(c.key for c in format.KPIS.columns)  # the columns read, by header key
_LENGTHS = MAX_LENGTH["kpis"]
_DIRECTIONS = format.KPIS.by_key["direction"]
# The order in which the row-by-row check spoke of a row's cells: problems are sorted by it.
(_OUTPUT, _OBJECTIVE, _KPI, _TARGET, _BASELINE, _ACTUAL, _DIRECTION, _UNIT, _COMMENT, _SLIPS) = range(10)


@dataclass(frozen=True, slots=True)
class _Sheet:
    """One return's KPIs sheet: where its rows come from, and its columns as written."""

    file: str
    sheet: str
    cols: dict[str, Column]
    bureau: str
    sector: str
    language: str | None


class KPIRows:
    """The KPIs sheets of a year, gathered column by column as the workbooks arrive and checked
    a few tens of thousands of rows at a time: while the reading workers are still busy, so
    that no core waits for the check of the whole year at the end."""

    CHUNK_ROWS = 20_000

    def __init__(self, c: Collector) -> None:
        self.c = c
        self.sheets: list[_Sheet] = []
        self.marks: list[int] = []  # where each sheet's row problems go in the collector's list
        self.said = _Said(c, self)
        self.entries: list[KPIEntry] = []
        self.keys: list[str] = []
        self._start_chunk()

    def _start_chunk(self) -> None:
        self.slot: list[int] = []  # each row's sheet
        self.rows: list[int] = []  # each row's Excel row
        self.values: dict[str, list[Any]] = {key: [] for key in KEYS}
        self.elsewhere: list[bool] = []  # a value in a column the report does not read

    def add(self, table: Table, cols: dict[str, Column], file: str, bureau: str, sector: str,
            language: str | None, mark: int) -> None:
        count = len(table.row_numbers)
        self.slot.extend(repeat(len(self.sheets), count))
        self.sheets.append(_Sheet(file, table.sheet, cols, bureau, sector, language))
        self.marks.append(mark)
        self.rows.extend(table.row_numbers)
        empty = (None,) * count
        for key, column in self.values.items():
            column.extend(table.cells.get(key, empty))
        unknown = [values for key, values in table.cells.items() if key not in self.values]
        self.elsewhere.extend(any(v is not None for v in cells) for cells in zip(*unknown)) if unknown \
            else self.elsewhere.extend(repeat(False, count))
        if len(self.rows) >= self.CHUNK_ROWS:
            self._check_chunk()

    def _check_chunk(self) -> None:
        if self.rows:
            checked = _check(self.c, self, self.said)
            self.entries += checked.entries
            self.keys += checked.keys
        self._start_chunk()

    def finish(self) -> Checked:
        """The year's valid entries. Every problem goes into `c.problems` at its sheet's place,
        and the unfilled rows of the template into `c.output_only` for the coverage check."""
        self._check_chunk()
        self.said.into(self.c.problems, self.marks)
        return Checked(self.entries, self.keys)


class _Said:
    """Problems found by the column checks, each with the place it takes in the report's list."""

    def __init__(self, c: Collector, rows: KPIRows) -> None:
        self.c, self.rows = c, rows
        self.found: list[tuple[int, int, int, int, Problem]] = []

    def at(self, i: int, step: int, severity: Severity, key: str, message: str) -> None:
        sheet = self.rows.sheets[self.rows.slot[i]]
        column: Column | str = sheet.cols.get(key) or format.KPIS.by_key[key].header
        self.through(i, step, self.c.add, severity, sheet.file, sheet.sheet, self.rows.rows[i], column, message)

    def through(self, i: int, step: int, check: Callable[..., Any], *args: Any) -> Any:
        """Run a one-cell check of `cells`, taking what it says into this list."""
        before = len(self.c.problems)
        result = check(*args)
        for problem in self.c.problems[before:]:
            self.found.append((self.rows.slot[i], self.rows.rows[i], step, len(self.found), problem))
        del self.c.problems[before:]
        return result

    def into(self, problems: list[Problem], marks: list[int]) -> None:
        """Insert the problems at their sheets' places, last sheet first so the marks hold."""
        self.found.sort(key=lambda item: item[:4])
        by_slot: dict[int, list[Problem]] = {}
        for slot, _, _, _, problem in self.found:
            by_slot.setdefault(slot, []).append(problem)
        for slot in sorted(by_slot, reverse=True):
            problems[marks[slot]:marks[slot]] = by_slot[slot]


@dataclass(frozen=True)
class Checked:
    """The valid KPI entries of a year, in the order of the returns and their rows, with the
    key of each name (`util.text.fold`: what makes two rows the same KPI)."""

    entries: list[KPIEntry]
    keys: list[str]


def _check(c: Collector, rows: KPIRows, said: _Said) -> Checked:
    """Check the gathered rows as whole columns; what is found goes to `said`."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({key: pd.Series(values, dtype=object) for key, values in rows.values.items()})
    slot = np.asarray(rows.slot)
    sector = np.asarray([s.sector for s in rows.sheets], dtype=object)[slot]
    present = frame.notna()
    others = present.drop(columns="output").any(axis=1).to_numpy() | np.asarray(rows.elsewhere, dtype=bool)
    unfilled = present["output"].to_numpy() & ~others  # a row of the template with only its Output
    for i in np.flatnonzero(unfilled):
        sheet = rows.sheets[slot[i]]
        c.output_only.append((sheet.file, sheet.sheet, rows.rows[i], rows.values["output"][i], sheet.sector))
    active = ~unfilled
    cells = {key: _Cells(frame[key], active & present[key].to_numpy()) for key in frame.columns}

    output, ok = _outputs(c, rows, said, frame["output"], sector, active)
    objectives, objectives_ok = _objectives(c, rows, said, cells["objective"], output, ok)
    ok &= objectives_ok
    names, spaced, simple = _texts(rows, said, cells["kpi"], "kpi", _KPI)
    named = names != None  # noqa: E711  (elementwise, on an array of objects)
    for i in np.flatnonzero(active & ~named):
        said.at(i, _KPI, ERROR, "kpi", "KPI is empty: enter the indicator's name")
    ok &= named
    for i in np.flatnonzero(spaced & named):
        said.at(i, _KPI, WARNING, "kpi", f"KPI '{rows.values['kpi'][i]}' has spaces before or after it: they "
                                         "were ignored")
    target, target_ok, pointed = _numbers(rows, said, cells["target"], "target", _TARGET, "120")
    for i in np.flatnonzero(active & target_ok & np.isnan(target)):
        said.at(i, _TARGET, ERROR, "target", "Target is empty: enter this year's target as a number, e.g. 120")
    ok &= target_ok & ~np.isnan(target)
    baseline, baseline_ok, baseline_pointed = _numbers(rows, said, cells["baseline"], "baseline", _BASELINE, "100")
    actual, actual_ok, actual_pointed = _numbers(rows, said, cells["actual"], "actual", _ACTUAL, "95")
    ok &= baseline_ok & actual_ok
    pointed |= baseline_pointed | actual_pointed
    direction, direction_ok = _directions(rows, said, cells["direction"])
    ok &= direction_ok
    for i in np.flatnonzero(active & direction_ok & (direction == "lower") & (target == 0) & np.isnan(baseline)):
        said.at(i, _DIRECTION, WARNING, "target", "Target is 0 with direction 'lower': any actual above 0 counts "
                                                  "as not achieved; check the target or give a baseline")
    units = _texts(rows, said, cells["unit"], "unit", _UNIT)[0]
    comments = _texts(rows, said, cells["comment"], "comment", _COMMENT)[0]
    ok &= active

    _slips(c, rows, said, ok, pointed, baseline, target, actual)
    valid = np.flatnonzero(ok)
    entries = _entries(rows, valid, output, names, units, baseline, target, actual, direction, comments, objectives)
    return Checked(entries, folded(names[valid], simple[valid]))


class _Cells:
    """One column of the year's KPI rows, with what most checks look at first: which cells of
    the rows to check hold something, and which of those hold text."""

    def __init__(self, raw: Any, filled: Any) -> None:
        self.raw = raw
        self.filled = filled
        self.kinds = raw.map(type) if filled.any() else None
        self.strings = filled & self.kinds.eq(str).to_numpy() if self.kinds is not None else filled


def folded(names: Any, simple: Any = None) -> list[str]:
    """`util.text.fold` of each name, as a whole column. A name that is `simple` (printable
    ASCII, so its only white space is the plain space) only needs its case folded, unless it
    has a run of spaces."""
    import numpy as np
    import pandas as pd

    text = pd.Series(names, dtype=object)
    keys = text.str.lower()
    simple = np.zeros(len(text), dtype=bool) if simple is None else simple
    other = ~simple | text.str.contains("  ", regex=False).to_numpy(dtype=bool)
    keys[other] = [fold(name) for name in text[other]]
    return keys.tolist()


def without_duplicates(c: Collector, checked: Checked) -> Checked:
    """A KPI named twice for one output (case and spacing aside) is an error at each of its
    rows, naming the others, and none of them is used."""
    import pandas as pd

    twice = pd.DataFrame({"output": [e.output for e in checked.entries], "key": checked.keys}) \
        .duplicated(keep=False).to_numpy(dtype=bool)
    if not twice.any():
        return checked
    pairs = list(zip(checked.entries, checked.keys))
    duplicates(c, [e for e, k in zip(pairs, twice) if k], lambda pair: (pair[0].output, pair[1]),
               lambda pair: f"KPI '{pair[0].kpi}' of output {pair[0].output}", "KPI", source=lambda pair: pair[0].source)
    kept = [pair for pair, k in zip(pairs, twice) if not k]
    return Checked([e for e, _ in kept], [k for _, k in kept])


def check_names_against(c: Collector, checked: Checked, earlier: YearData) -> None:
    """A KPI written with other case or spacing than the year before is matched, with a warning."""
    import pandas as pd

    columns = ["bureau", "output", "key"]
    now = pd.DataFrame({"bureau": [e.bureau for e in checked.entries], "output": [e.output for e in checked.entries],
                        "key": checked.keys, "kpi": [e.kpi for e in checked.entries]})
    before = pd.DataFrame({"bureau": [k.bureau for k in earlier.kpis], "output": [k.output for k in earlier.kpis],
                           "key": [fold(k.kpi) for k in earlier.kpis], "was": [k.kpi for k in earlier.kpis]},
                          columns=[*columns, "was"])
    before = before.drop_duplicates(columns, keep="last")
    matched = now.reset_index().merge(before, on=columns, how="inner").sort_values("index")
    for i, was in zip(matched["index"], matched["was"]):
        entry = checked.entries[i]
        if was != entry.kpi:
            c.add(WARNING, entry.source.file, entry.source.sheet, entry.source.row, "KPI",
                  f"KPI '{entry.kpi}' was written '{was}' in {earlier.year}: matched anyway; "
                  "keep one spelling so the years line up")


def _outputs(c: Collector, rows: KPIRows, said: _Said, raw: Any, sector: Any, active: Any) -> tuple[Any, Any]:
    """(the plan's output code of each row, ok): the plan is asked once per distinct Output
    of each Sector."""
    import numpy as np
    import pandas as pd

    codes = np.full(len(raw), None, dtype=object)
    ok = np.zeros(len(raw), dtype=bool)
    for sector_code in pd.unique(sector):
        where = np.flatnonzero(active & (sector == sector_code))
        if not len(where):
            continue
        bureau = c.plan.sector(sector_code).bureau
        index, distinct = pd.factorize(raw.iloc[where], use_na_sentinel=False)
        verdicts = [output_verdict(c.plan, c.outputs_named, value, sector_code, bureau) for value in distinct]
        codes[where] = np.asarray([code for code, _ in verdicts], dtype=object)[index]
        ok[where] = np.asarray([code is not None for code, _ in verdicts])[index]
        noted = np.asarray([bool(notes) for _, notes in verdicts])[index]
        for i, verdict in zip(where[noted], index[noted]):
            for severity, message in verdicts[verdict][1]:
                said.at(i, _OUTPUT, severity, "output", message)
    return codes, ok


def _objectives(c: Collector, rows: KPIRows, said: _Said, cells: _Cells, output: Any, where: Any) -> tuple[Any, Any]:
    """(the objective codes of each row, ok) from the optional Objective column (contract 8.1),
    looked up once per distinct (cell, output)."""
    import numpy as np

    codes: list[tuple[str, ...]] = [()] * len(cells.raw)
    ok = np.ones(len(cells.raw), dtype=bool)
    filled = np.flatnonzero(where & cells.filled)
    verdicts: dict[tuple[Any, str], tuple[tuple[str, ...], str | None]] = {}
    for i in filled:
        key = (rows.values["objective"][i], output[i])
        if key not in verdicts:
            verdicts[key] = objective_verdict(c.plan, *key)
        codes[i], error = verdicts[key]
        if error:
            ok[i] = False
            said.at(i, _OBJECTIVE, ERROR, "objective", error)
    return codes, ok


def _texts(rows: KPIRows, said: _Said, cells: _Cells, key: str, step: int) -> tuple[Any, Any, Any]:
    """(each row's text of column `key` as the report shows it, stripped, None when empty;
    which cells had spaces around the text; which were short printable ASCII). Those are taken
    as a whole column (one regular expression); the rest is looked at cell by cell."""
    import numpy as np

    values = np.full(len(cells.raw), None, dtype=object)
    spaced = np.zeros(len(cells.raw), dtype=bool)
    simple = np.zeros(len(cells.raw), dtype=bool)
    if not cells.filled.any():
        return values, spaced, simple
    raw = cells.raw[cells.strings]
    limit = _LENGTHS.get(key)
    plain = raw.str.fullmatch(_plain_text(limit)).to_numpy(dtype=bool)
    at = np.flatnonzero(cells.strings)
    values[at[plain]] = raw[plain].to_numpy(dtype=object)
    simple[at[plain]] = True
    for i, text in zip(at[~plain], raw[~plain]):  # spaces around it, other characters, or long
        trimmed = text.strip()
        spaced[i] = trimmed != text
        if not trimmed:
            continue
        if trimmed.isascii() and trimmed.isprintable() and (limit is None or len(trimmed) <= limit):
            values[i], simple[i] = trimmed, True
            continue
        sheet = rows.sheets[rows.slot[i]]
        column = sheet.cols[key]
        values[i] = said.through(i, step, unusual_text, said.c, sheet.file, sheet.sheet, rows.rows[i],
                                 column.header, trimmed, limit, f"{column.letter}{rows.rows[i]}")
    for i in np.flatnonzero(cells.filled & ~cells.strings):  # a number or a date where text was expected
        values[i] = text_value(rows.values[key][i])
    return values, spaced, simple


def _numbers(rows: KPIRows, said: _Said, cells: _Cells, key: str, step: int, example: str) -> tuple[Any, Any, Any]:
    """(values with NaN for empty cells, ok, pointed) of a number column: numeric cells as a
    whole column; text (a number typed as text, '1,250', '85%') cell by cell. `pointed` marks
    text such as '1.250' (see `cells.check_slips`)."""
    import numpy as np

    count = len(cells.raw)
    values = np.full(count, np.nan)
    ok = np.ones(count, dtype=bool)
    pointed = np.zeros(count, dtype=bool)
    if not cells.filled.any():
        return values, ok, pointed
    numeric = (cells.kinds.eq(int) | cells.kinds.eq(float)).to_numpy() & cells.filled
    values[numeric] = cells.raw[numeric].to_numpy(dtype=float)
    numeric &= np.abs(values) <= MAX_NUMBER  # beyond it: refused below, as parse_number refuses it
    for i in np.flatnonzero(cells.filled & ~numeric):
        cell = rows.values[key][i]
        if type(cell) is str and "." in cell and POINT_THOUSANDS.fullmatch(cell):
            pointed[i] = True
        try:
            number = parse_number(cell)
        except ValueError:
            ok[i] = False
            sheet = rows.sheets[rows.slot[i]]
            said.at(i, step, ERROR, key, not_a_number(sheet.cols[key].header, cell, example))
            continue
        values[i] = np.nan if number is None else number
    return values, ok, pointed


def _directions(rows: KPIRows, said: _Said, cells: _Cells) -> tuple[Any, Any]:
    """(direction of each row, ok): 'higher' or 'lower', case and spaces ignored; empty means
    the column's default."""
    import numpy as np

    directions = np.full(len(cells.raw), _DIRECTIONS.default, dtype=object)
    filled, strings = cells.filled, cells.strings
    directions[strings] = cells.raw[strings].str.strip().str.lower().to_numpy()
    for i in np.flatnonzero(filled & ~strings):
        directions[i] = str(text_value(rows.values["direction"][i])).lower()
    ok = ~filled | np.isin(directions, list(_DIRECTIONS.choices))
    for i in np.flatnonzero(~ok):
        said.at(i, _DIRECTION, ERROR, "direction", f"Direction is '{text_value(rows.values['direction'][i])}': "
                                                   "enter 'higher' or 'lower' (empty means higher)")
    return directions, ok


def _slips(c: Collector, rows: KPIRows, said: _Said, ok: Any, pointed: Any,
           baseline: Any, target: Any, actual: Any) -> None:
    """Most rows have figures of one size: the slip check proper runs only for the others."""
    import numpy as np

    low, high = NEAR

    def apart(a: Any, b: Any) -> Any:  # both figures there and not zero, and far apart
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = a / b
        return (np.nan_to_num(a) != 0) & (np.nan_to_num(b) != 0) & ~((low < ratio) & (ratio < high))

    nonzero = lambda a: np.nan_to_num(a) != 0  # noqa: E731
    suspect = np.where(nonzero(target), apart(actual, target), nonzero(actual) & nonzero(baseline)) \
        | apart(baseline, target) | apart(actual, baseline) | pointed
    for i in np.flatnonzero(ok & suspect):
        sheet = rows.sheets[rows.slot[i]]
        record = {key: rows.values[key][i] for key in ("baseline", "target", "actual")}
        figures = tuple((key, None if np.isnan(v) else float(v))
                        for key, v in (("baseline", baseline[i]), ("target", target[i]), ("actual", actual[i])))
        said.through(i, _SLIPS, check_slips, c, sheet.file, sheet.sheet, rows.rows[i], sheet.cols, record, figures)


def _plain_text(limit: int | None) -> str:
    """Printable ASCII with no space at either end, at most `limit` characters: text that needs
    no closer look (what `cells.clean_text` lets through at once)."""
    inner = "{0,%d}" % max(limit - 2, 0) if limit else "*"
    return f"[\\x21-\\x7e](?:[\\x20-\\x7e]{inner}[\\x21-\\x7e])?"


def _entries(rows: KPIRows, valid: Any, output: Any, names: Any, units: Any, baseline: Any, target: Any,
             actual: Any, direction: Any, comments: Any, objectives: list) -> list[KPIEntry]:
    """The records of the valid rows. A sheet's rows stand together, so each sheet's records
    are made in one comprehension with the sheet's values at hand."""
    import numpy as np

    def figures(values: Any) -> list:
        chosen = values[valid]
        return np.where(np.isnan(chosen), None, chosen).tolist()

    columns = (output[valid].tolist(), names[valid].tolist(), units[valid].tolist(), figures(baseline),
               figures(target), figures(actual), direction[valid].tolist(), comments[valid].tolist(),
               np.asarray(rows.rows)[valid].tolist(), [objectives[i] for i in valid.tolist()])
    bounds = np.searchsorted(np.asarray(rows.slot)[valid], np.arange(len(rows.sheets) + 1)).tolist()
    entries: list[KPIEntry] = []
    for slot, sheet in enumerate(rows.sheets):
        low, high = bounds[slot], bounds[slot + 1]
        if low == high:
            continue
        bureau, sector, file, name, language = sheet.bureau, sheet.sector, sheet.file, sheet.sheet, sheet.language
        # Positional: a keyword call costs twice as much, 200,000 times.
        entries += [KPIEntry(bureau, sector, code, kpi, unit, base, aim, got, way, comment,
                             Source(file, name, row), language, measures)
                    for code, kpi, unit, base, aim, got, way, comment, row, measures
                    in zip(*(column[low:high] for column in columns))]
    return entries
