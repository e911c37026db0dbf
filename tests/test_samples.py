"""The illustrative sample returns in inputs/2008 and inputs/2009 and their generator,
scripts/make_samples.py: deterministic, complete (every output 2-4 KPIs a year), shaped so the
report has something to show, and flawed only where DELIBERATE_FLAWS says.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_samples.py"
INPUTS = ROOT / "inputs"


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location("make_samples", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


ms = _load_script()
FILES = [(year, bureau, ms.file_name(bureau, year)) for year in ms.YEARS for bureau in ms.BUREAUX]
FILE_IDS = [name for _, _, name in FILES]


# ------------------------------------------------------------------------------------ helpers

def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(row) for row in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def non_empty(row: tuple[Any, ...]) -> int:
    return sum(1 for v in row if v is not None and str(v).strip() != "")


def header_row(rows: list[tuple[Any, ...]]) -> int:
    """1-based row of the header: the first row with at least two non-empty cells."""
    return next(i for i, row in enumerate(rows, start=1) if non_empty(row) >= 2)


def records(path: Path, sheet: str) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row, {header: value}) for every non-empty row under the header."""
    rows = sheet_rows(path, sheet)
    top = header_row(rows)
    header = [str(h).strip() if h is not None else None for h in rows[top - 1]]
    out = []
    for number, row in enumerate(rows[top:], start=top + 1):
        if non_empty(row):
            out.append((number, {h: v for h, v in zip(header, row) if h}))
    return out


def number(value: Any) -> float | None:
    """Contract section 2: numeric cells, or text like `1,250`, `1 250`, ` 42 `, `85%`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip().rstrip("%").replace(",", "").replace(" ", "")
    return float(text)


def achievement(direction: str | None, baseline: float | None, target: float,
                actual: float) -> float:
    lower = (direction or "higher").strip().lower() == "lower"
    if lower:
        num, den = ((baseline - actual, baseline - target) if baseline is not None
                    else (target, actual))
        meets = actual <= target
    else:
        num, den = ((actual - baseline, target - baseline) if baseline is not None
                    else (actual, target))
        meets = actual >= target
    if den == 0:
        return 1.0 if meets else 0.0
    return num / den


def status(row: dict[str, Any]) -> str:
    actual = number(row.get("Actual"))
    if actual is None:
        return "not reported"
    value = achievement(row.get("Direction"), number(row.get("Baseline")),
                        number(row["Target"]), actual)
    return "achieved" if value >= 1 else "partially achieved" if value >= 0.5 else "not achieved"


@pytest.fixture(scope="module")
def resolve() -> Callable[[Any, str], str | None]:
    """Output code for a workbook label: through the plan file when it is there."""
    plan_file = ROOT / "reportgen" / "plans" / "itu-2008-2011.yaml"
    if plan_file.exists():
        sys.path.insert(0, str(ROOT))
        from reportgen.plan.loader import load_plan

        plan = load_plan()

        def by_plan(label: Any, sector: str) -> str | None:
            if label is None:
                return None
            output = plan.find_output(str(label), sector)
            return output.code if output else None

        return by_plan
    return ms.resolve_output


def error_rows(fname: str) -> set[int]:
    return {f["row"] for f in ms.DELIBERATE_FLAWS
            if f["file"] == fname and f["severity"] == "error"}


def valid_kpis(path: Path, bureau: str, resolve: Callable) -> list[tuple[int, str, dict]]:
    """(Excel row, output code, row) for each KPI row that is not a deliberate error."""
    sector = ms.BUREAUX[bureau][0]
    bad = error_rows(path.name)
    out = []
    for number_, row in records(path, "KPIs"):
        if number_ in bad:
            continue
        code = resolve(row["Output"], sector)
        assert code is not None and ms.sector_of_output(code) == sector, (path.name, number_)
        assert row["KPI"], (path.name, number_)
        assert str(row.get("Direction") or "higher") in ("higher", "lower"), (path.name, number_)
        number(row["Target"])  # raises if not a number
        number(row.get("Actual"))
        number(row.get("Baseline"))
        out.append((number_, code, row))
    return out


# ------------------------------------------------------------------------------ determinism

@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    ms.generate(out)
    return out


def test_committed_files_are_exactly_the_generated_set() -> None:
    for year in ms.YEARS:
        names = sorted(p.name for p in (INPUTS / str(year)).glob("*.xlsx"))
        assert names == sorted(ms.file_name(b, year) for b in ms.BUREAUX)


@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_regenerating_gives_the_same_cell_values(regenerated: Path, year: int, bureau: str,
                                                 fname: str) -> None:
    committed = openpyxl.load_workbook(INPUTS / str(year) / fname)
    fresh = openpyxl.load_workbook(regenerated / str(year) / fname)
    assert committed.sheetnames == fresh.sheetnames
    for ws in committed:
        assert list(ws.iter_rows(values_only=True)) == \
            list(fresh[ws.title].iter_rows(values_only=True)), ws.title


@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_regenerating_gives_the_same_bytes(regenerated: Path, year: int, bureau: str,
                                           fname: str) -> None:
    committed, fresh = INPUTS / str(year) / fname, regenerated / str(year) / fname

    def members(path: Path) -> list[tuple[str, tuple, bytes]]:
        with zipfile.ZipFile(path) as archive:
            return [(i.filename, i.date_time, archive.read(i)) for i in archive.infolist()]

    # Every part of the package, its order and its timestamp are the same ...
    assert members(committed) == members(fresh)
    assert all(date == ms.ZIP_TIME for _, date, _ in members(committed))
    # ... and so are the bytes, unless this machine's zlib compresses differently.
    if committed.read_bytes() != fresh.read_bytes():
        pytest.skip(f"same content, other deflate output (zlib {zlib.ZLIB_RUNTIME_VERSION})")


# ------------------------------------------------------------------------------- structure

@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_about_sheet(year: int, bureau: str, fname: str) -> None:
    about = {row[0]: row[1] for row in sheet_rows(INPUTS / str(year) / fname, "About") if row[0]}
    assert about["Bureau"] == bureau
    assert about["Year"] == year
    assert about["Data status"] == "illustrative"
    assert about["Prepared by"].startswith(bureau)
    assert about["Date"].year == year + 1


@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_sheets_and_header_rows(year: int, bureau: str, fname: str) -> None:
    path = INPUTS / str(year) / fname
    kpis = sheet_rows(path, "KPIs")
    assert non_empty(kpis[0]) == 1 and "illustrative" in kpis[0][0]
    assert non_empty(kpis[1]) == 0
    assert header_row(kpis) == ms.KPI_HEADER_ROW
    header = [h for h in kpis[ms.KPI_HEADER_ROW - 1] if h is not None]
    extra = ["Notes"] if (bureau, year) == ("GS", ms.FLAW_YEAR) else []
    assert header == ms.KPI_HEADER + extra
    expected = {"Finance": ["Output", "Budget", "Expenditure"],
                "Proposals": ["Source", "Refers to", "Proposal", "Ref"],
                "Highlights": ["Refers to", "Text"]}
    if bureau == "GS":
        expected["Financial situation"] = ["Item", "Amount"]
    for sheet, columns in expected.items():
        rows = sheet_rows(path, sheet)
        assert header_row(rows) == 1 and list(rows[0]) == columns, sheet


@pytest.mark.parametrize("year", ms.YEARS)
def test_every_output_has_two_to_four_kpis(year: int, resolve: Callable) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for bureau in ms.BUREAUX:
        for _, code, row in valid_kpis(INPUTS / str(year) / ms.file_name(bureau, year), bureau,
                                       resolve):
            assert row["KPI"] not in names[code] or (bureau, year) == ("TSB", ms.FLAW_YEAR)
            names[code].add(row["KPI"])
    assert set(names) == set(ms.OUTPUTS)
    counts = {code: len(kpis) for code, kpis in names.items()}
    assert all(2 <= n <= 4 for n in counts.values()), counts


def test_2009_mostly_repeats_the_2008_kpis(resolve: Callable) -> None:
    keys = {}
    for year in ms.YEARS:
        keys[year] = {(b, code, row["KPI"]) for b in ms.BUREAUX
                      for _, code, row in valid_kpis(INPUTS / str(year) / ms.file_name(b, year),
                                                     b, resolve)}
    common = keys[2008] & keys[2009]
    assert len(common) >= 0.8 * len(keys[2009])


def test_statuses_cover_every_case_and_shortfalls_persist(resolve: Callable) -> None:
    by_year: dict[int, dict[tuple, str]] = {}
    for year in ms.YEARS:
        by_year[year] = {(b, code, row["KPI"]): status(row) for b in ms.BUREAUX
                         for _, code, row in valid_kpis(
                             INPUTS / str(year) / ms.file_name(b, year), b, resolve)}
        seen = set(by_year[year].values())
        assert {"achieved", "partially achieved", "not achieved"} <= seen
    assert "not reported" not in by_year[2008].values()
    not_reported = [k for k, s in by_year[2009].items() if s == "not reported"]
    assert 3 <= len(not_reported) <= 8
    persistent = [k for k, s in by_year[2009].items()
                  if s == "not achieved" and by_year[2008].get(k) == "not achieved"]
    assert len(persistent) >= 6
    for bureau in ms.BUREAUX:  # every bureau has a persistent shortfall
        assert any(k[0] == bureau for k in persistent), bureau


def test_numbers_typed_as_text() -> None:
    for year in ms.YEARS:
        texts = [v for b in ms.BUREAUX
                 for _, row in records(INPUTS / str(year) / ms.file_name(b, year), "KPIs")
                 for col, v in row.items()
                 if col in ("Baseline", "Target", "Actual") and isinstance(v, str)]
        assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", v) for v in texts), year
        assert any(re.fullmatch(r"\d+%", v) for v in texts), year
        assert any(re.fullmatch(r" \d+ ", v) for v in texts), year
    br_2009 = records(INPUTS / "2009" / "BR_2009.xlsx", "KPIs")
    assert any(row["Target"] == "1,250" for _, row in br_2009)


def test_the_samples_hold_no_test_strings() -> None:
    """The samples are the product's face: markup and test strings belong in the tests."""
    for year in ms.YEARS:
        for bureau in ms.BUREAUX:
            for sheet in ("KPIs", "Proposals", "Highlights"):
                for _, row in records(INPUTS / str(year) / ms.file_name(bureau, year), sheet):
                    assert not any(re.search(r"<[a-z]+>|\"|&[a-z#]", str(v)) for v in row.values() if v), row


def test_highlights_say_what_the_kpis_say() -> None:
    """A highlight that quotes a figure quotes its KPI's actual (issue: 30 vs 39 countries)."""
    for (bureau, year, refers), (output, kpi) in ms.HIGHLIGHT_FIGURES.items():
        path = INPUTS / str(year) / ms.file_name(bureau, year)
        actual = next(number(row["Actual"]) for _, row in records(path, "KPIs") if row["KPI"] == kpi)
        text = next(row["Text"] for _, row in records(path, "Highlights") if (row["Refers to"] or "") == refers)
        assert f"{int(actual):,}" in text, (text, actual)
    texts = [row["Text"] for y in ms.YEARS for b in ms.BUREAUX
             for _, row in records(INPUTS / str(y) / ms.file_name(b, y), "Highlights")]
    assert not any("on track" in t or "all regions" in t for t in texts)


def test_no_kpi_contradicts_the_finance_sheets() -> None:
    names = {row["KPI"] for y in ms.YEARS for b in ms.BUREAUX
             for _, row in records(INPUTS / str(y) / ms.file_name(b, y), "KPIs") if row.get("KPI")}
    assert "Budget execution" not in names


def test_the_secretariat_inputs_name_real_proposals_and_recommendations() -> None:
    import yaml

    data = yaml.safe_load((INPUTS / "2009" / "secretariat.yaml").read_text(encoding="utf-8"))
    refs = {row["Ref"] for b in ms.BUREAUX for _, row in records(INPUTS / "2009" / ms.file_name(b, 2009), "Proposals")}
    assert set(data["positions"]) < refs  # one proposal is left 'to be stated', as a drafting unit sees it
    assert {p["stance"] for p in data["positions"].values()} == {"support", "support-with-changes",
                                                                 "not-supported", "noted"}
    assert set(data["follow_up"].values()) == {"adopted", "rejected", "deferred"}


@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_finance_rows(year: int, bureau: str, fname: str, resolve: Callable) -> None:
    sector = ms.BUREAUX[bureau][0]
    rows = records(INPUTS / str(year) / fname, "Finance")
    codes = [resolve(row["Output"], sector) for _, row in rows]
    assert codes == ms.outputs_of(bureau)
    budgets = [number(row["Budget"]) for _, row in rows]
    assert all(b and b > 0 for b in budgets)
    assert all(number(row["Expenditure"]) >= 0 for _, row in rows)
    low, high = {"BR": (25000, 35000), "TSB": (10000, 18000), "BDT": (25000, 35000),
                 "GS": (50000, 70000)}[bureau]
    assert low <= sum(budgets) <= high  # thousands of CHF: tens of millions per sector


def test_over_and_underspending_in_2009() -> None:
    for bureau in ms.BUREAUX:
        rates = [number(row["Expenditure"]) / number(row["Budget"])
                 for _, row in records(INPUTS / "2009" / ms.file_name(bureau, 2009), "Finance")]
        assert max(rates) > 1.10 and min(rates) < 0.70, bureau


@pytest.mark.parametrize(("year", "bureau", "fname"), FILES, ids=FILE_IDS)
def test_proposals_and_highlights(year: int, bureau: str, fname: str, resolve: Callable) -> None:
    sector = ms.BUREAUX[bureau][0]
    objectives = {f"R{i}" for i in range(1, 6)} | {f"T{i}" for i in range(1, 8)} | \
        {f"D{i}" for i in range(1, 8)} | {f"INT{i}" for i in range(1, 6)} | \
        {f"G{i}" for i in range(1, 8)}

    def refers_ok(value: Any) -> bool:
        return value is None or value in objectives or resolve(value, sector) is not None

    proposals = records(INPUTS / str(year) / fname, "Proposals")
    highlights = records(INPUTS / str(year) / fname, "Highlights")
    assert 2 <= len(proposals) <= 4 and 2 <= len(highlights) <= 3
    assert all(row["Source"] and row["Proposal"] and refers_ok(row.get("Refers to"))
               for _, row in proposals)
    assert all(row["Text"] and refers_ok(row.get("Refers to")) for _, row in highlights)


# -------------------------------------------------------------------------- deliberate flaws

def test_flaws_are_where_the_list_says(resolve: Callable) -> None:
    expected = {
        ("BR_2009.xlsx", "Target", "not a number"), ("BR_2009.xlsx", "Output", "unknown output"),
        ("TSB_2009.xlsx", "KPI", "duplicate KPI"), ("TSB_2009.xlsx", "Direction", "bad direction"),
        ("BDT_2009.xlsx", "KPI", "missing KPI name"),
        ("BDT_2009.xlsx", "Output", "other sector's output"),
        ("GS_2009.xlsx", "Actual", "not a number"), ("GS_2009.xlsx", "Notes", "unknown column"),
    }
    assert {(f["file"], f["column"], f["kind"]) for f in ms.DELIBERATE_FLAWS} == expected
    assert len(ms.DELIBERATE_FLAWS) == 9  # the duplicate stands at two places
    for f in ms.DELIBERATE_FLAWS:
        assert f["sheet"] == "KPIs" and f["file"].endswith(f"_{ms.FLAW_YEAR}.xlsx")
        assert f["severity"] == ("warning" if f["kind"] == "unknown column" else "error")
        rows = sheet_rows(INPUTS / str(ms.FLAW_YEAR) / f["file"], "KPIs")
        header = list(rows[ms.KPI_HEADER_ROW - 1])
        row = rows[f["row"] - 1]
        cell = row[header.index(f["column"])]
        bureau = f["file"].split("_")[0]
        sector = ms.BUREAUX[bureau][0]
        if f["kind"] == "not a number":
            assert cell == f["value"]
            with pytest.raises(ValueError):
                number(cell)
        elif f["kind"] == "unknown output":
            assert cell == "Radio Spectrum Forum" and resolve(cell, sector) is None
        elif f["kind"] == "other sector's output":
            code = resolve(cell, sector)
            assert code is not None and ms.sector_of_output(code) != sector
        elif f["kind"] == "missing KPI name":
            assert cell is None and row[header.index("Target")] is not None
        elif f["kind"] == "bad direction":
            assert cell == "up"
        elif f["kind"] == "unknown column":
            assert f["row"] == ms.KPI_HEADER_ROW and cell == "Notes"
    twice = [f for f in ms.DELIBERATE_FLAWS if f["kind"] == "duplicate KPI"]
    rows = sheet_rows(INPUTS / "2009" / "TSB_2009.xlsx", "KPIs")
    a, b = (rows[f["row"] - 1] for f in twice)
    assert resolve(a[0], "T") == resolve(b[0], "T") == "T-04" and a[1] == b[1]


def test_the_script_comment_lists_every_flaw() -> None:
    doc = SCRIPT.read_text(encoding="utf-8").split('"""')[1]
    for f in ms.DELIBERATE_FLAWS:
        pattern = rf"{re.escape(f['file'])}\s+{f['sheet']}\s+row {f['row']}\s+{f['column']}\b"
        assert re.search(pattern, doc), f


def test_2008_files_have_no_flaws(resolve: Callable) -> None:
    for bureau in ms.BUREAUX:
        path = INPUTS / "2008" / ms.file_name(bureau, 2008)
        rows = valid_kpis(path, bureau, resolve)  # asserts every row is valid
        assert len(rows) == len(records(path, "KPIs"))
        keys = [(code, row["KPI"]) for _, code, row in rows]
        assert len(keys) == len(set(keys))


# ----------------------------------------------------------------------------- calamine

def test_calamine_reads_a_sample_with_excel_row_numbers() -> None:
    import pandas as pd
    path = INPUTS / "2009" / "BR_2009.xlsx"
    # keep_default_na=False: by default pandas turns the text `n/a` (and `NA`, `null`, ...)
    # into a missing value, which would hide the deliberate `n/a` target.
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine",
                           keep_default_na=False)
    assert list(frames) == ["About", "KPIs", "Finance", "Proposals", "Highlights"]
    kpis = frames["KPIs"]
    openpyxl_rows = sheet_rows(path, "KPIs")
    assert len(kpis) == len(openpyxl_rows)
    # row index + 1 == Excel row
    assert kpis.iloc[0, 0].startswith("ITU-R key performance indicators")
    assert (kpis.iloc[1] == "").all()
    assert list(kpis.iloc[ms.KPI_HEADER_ROW - 1]) == ms.KPI_HEADER
    for f in (f for f in ms.DELIBERATE_FLAWS if f["file"] == path.name):
        column = ms.KPI_HEADER.index(f["column"])
        assert kpis.iloc[f["row"] - 1, column] == f["value"]
    for index, row in enumerate(openpyxl_rows):
        assert kpis.iloc[index, 1] == ("" if row[1] is None else row[1])
    target_flaw = next(f for f in ms.DELIBERATE_FLAWS
                       if f["file"] == path.name and f["column"] == "Target")
    default = pd.read_excel(path, sheet_name="KPIs", header=None, engine="calamine")
    # the pandas default that readers must switch off
    assert pd.isna(default.iloc[target_flaw["row"] - 1, ms.KPI_HEADER.index("Target")])
    about = frames["About"]
    assert about.iloc[4, 0] == "Data status" and about.iloc[4, 1] == "illustrative"
