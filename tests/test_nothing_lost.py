"""Nothing lost (contract section 2, "nothing is dropped without a word"): feed a folder of good
and bad returns to a real build and prove that every non-empty data row of every readable sheet,
read here independently with openpyxl, ends up either in the report's figures or in the
problems list at its file, sheet and row.

"In the figures" means: a JSON `kpis` or `finance` entry whose `source` is the row, a
recommendation of rule `proposal` with the row among its evidence, or a highlight of the model
(highlights are not in the JSON). "In the problems" means a problem at (file, sheet, row), or a
problem for the whole sheet (no row: e.g. a sheet the report does not read), or an error in a
file that was not used at all (the error says so: unreadable, unknown bureau, another year).

Two cases once slipped through and have tests of their own: a row whose only values stand in a
column without header, and a row holding nothing but an Output (an unfilled template row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reportgen.pipeline.build import BuildResult, Options, build
from workbooks import KPI_HEADER, about, write_workbook

YEAR = 2009
Where = tuple[str, str, int]  # file, sheet, Excel row


# -- the inputs ----------------------------------------------------------------------------

def make_inputs(root: Path) -> Path:
    """A year folder with good and bad returns; returns the year folder."""
    year_dir = root / str(YEAR)
    write_workbook(year_dir / "BR_2009.xlsx", {
        "About": about("BR", YEAR) + [["Contact", "someone@itu.int"]],
        "KPIs": [
            ["Radiocommunication Bureau"],  # title rows above the header
            ["Returns for 2009"],
            [],
            KPI_HEADER,
            ["R-01", "Delegates", "number", 100, 120, 130, "higher", "good year"],
            ["WRC", "Documents", "pages", None, "1,250", "1 300", None, None],  # a name, numbers as text
            ["r-02", "Share online", "%", "40%", "85%", " 90 ", "higher", None],  # code in lower case
            [],
            ["R-03", "Meetings", None, None, "lots", 3, None, None],  # a target that is not a number
            ["R-03", "Reports", None, None, None, 3, None, None],  # no target
            ["R-04", "Seminars", None, None, 10, 3, "up", None],  # a bad direction
            ["R-05", "Visits", None, None, 10, 12, None, None],  # the same KPI twice
            ["R-05", "visits", None, None, 11, 12, None, None],
            ["R-99", "Unknown output", None, None, 10, 12, None, None],
            ["T-01", "Another sector's", None, None, 10, 12, None, None],
            [None, "No output", None, None, 10, 12, None, None],
            ["R-06", None, None, None, 10, 12, None, None],  # no KPI name
            ["R-07", "Stray beside", None, None, 10, 12, None, None, None, "a stray note"],
            [None, None, None, None, None, None, None, None, None, "only a stray value"],
            [None, None, None, None, None, None, None, None, None, "another stray value"],
            ["R-09"],  # only an Output: what an unfilled row of the blank template looks like
        ],
        "Finance": [
            ["Output", "Budget", "Expenditure"],
            ["R-01", 1000, 900],
            ["R-02", "n/a", 100],  # not a number
            ["R-03", -5, 100],  # negative
            ["R-08", 100, 90],  # the same output twice
            ["R-08", 100, 95],
            ["R-77", 100, 90],  # unknown output
        ],
        "Proposals": [
            ["Source", "Refers to", "Proposal"],
            ["RAG", "R1", "Streamline the study groups"],
            [None, "nowhere", "A proposal without source, referring to nothing known"],
            ["WRC-07", "R-01", None],  # no text
        ],
        "Highlights": [
            ["Refers to", "Text"],
            ["R-01", "WRC-07 concluded on time"],
            ["G1", "A goal-level highlight"],
            ["R-02", None],  # no text
        ],
        "Notes": [["Internal notes", "not for the report"], ["anything", "else"]],  # unknown sheet
    })
    write_workbook(year_dir / "sub" / "TSB_2009.xlsx", {
        "About": about("TSB", YEAR),
        " k_p_i-s ": [
            ["OUTPUT", "kpi", "TARGET", "actual"],
            ["T-01", "Recommendations approved", 100, 110],
            ["T-02", "Computed elsewhere", 10, "=C3*2"],  # a formula saved without its value
            ["T-03", "Broken formula", 10, "#DIV/0!"],  # an Excel error value
        ],
    })
    write_workbook(year_dir / "GS_2009.xlsx", {  # the year of another folder: the file is not used
        "About": about("GS", 2008),
        "KPIs": [KPI_HEADER, ["INT-01", "Sessions", None, None, 3, 3, None, None]],
    })
    write_workbook(year_dir / "BDT-returns.xlsx", {  # no About: bureau from the file name
        "KPIs": [KPI_HEADER, ["D-01", "Conferences", None, None, 2, 2, None, None]],
    })
    write_workbook(year_dir / "Returns_XYZ.xlsx", {  # no bureau anywhere: not used
        "KPIs": [KPI_HEADER, ["D-02", "Anything", None, None, 2, 2, None, None]],
    })
    (year_dir / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this was cut short")
    write_workbook(year_dir / "~$BR_2009.xlsx", {"KPIs": [KPI_HEADER, ["R-01", "Lock", None, None, 1, 1]]})
    write_workbook(year_dir / ".hidden.xlsx", {"KPIs": [KPI_HEADER, ["R-01", "Hidden", None, None, 1, 1]]})
    return year_dir


# -- reading independently -------------------------------------------------------------------

def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class SheetRows:
    file: str
    sheet: str
    header_row: int | None
    rows: tuple[tuple[int, tuple[Any, ...]], ...]  # non-empty rows below the header


def readable_sheets(year_dir: Path) -> list[SheetRows]:
    """Every sheet openpyxl can read in the files the contract makes returns (not lock files,
    not hidden files), with its non-empty rows below its header row (the first row with two
    non-empty cells)."""
    found = []
    for path in sorted(year_dir.rglob("*.xlsx")):
        rel = path.relative_to(year_dir).as_posix()
        if any(part.startswith((".", "~$")) for part in path.relative_to(year_dir).parts):
            continue
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            continue  # not readable: there are no rows to account for, only the file
        for sheet in workbook.worksheets:
            rows = [(number, tuple(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
            header = next((n for n, cells in rows if sum(map(_filled, cells)) >= 2), None)
            data = tuple((n, cells) for n, cells in rows if header is not None and n > header and any(map(_filled, cells)))
            found.append(SheetRows(rel, sheet.title, header, data))
        workbook.close()
    return found


# -- accounting ------------------------------------------------------------------------------

@dataclass
class Account:
    figures: set[Where]
    problems_at: set[Where]
    whole_sheets: set[tuple[str, str]]
    unused_files_with_error: set[str]

    def has(self, where: Where) -> bool:
        file, sheet, _ = where
        return (where in self.figures or where in self.problems_at or (file, sheet) in self.whole_sheets
                or file in self.unused_files_with_error)


def account(report: dict, result: BuildResult) -> Account:
    figures: set[Where] = set()
    for entry in report["kpis"] + report["finance"]:
        figures.add((entry["source"]["file"], entry["source"]["sheet"], entry["source"]["row"]))
    for recommendation in report["recommendations"]:
        if recommendation["rule"] == "proposal":
            figures |= {(e["file"], e["sheet"], e["row"]) for e in recommendation["evidence"]}
    highlights = [h for s in result.model.sectors for h in s.highlights]
    highlights += [h for s in result.model.sectors for o in s.outputs for h in o.highlights]
    figures |= {(h.source.file, h.source.sheet, h.source.row) for h in highlights}
    used = {r["file"] for r in report["summary"]["returns"]}
    problems = report["problems"]
    return Account(
        figures=figures,
        problems_at={(p["file"], p["sheet"], p["row"]) for p in problems if p["row"] is not None},
        whole_sheets={(p["file"], p["sheet"]) for p in problems if p["sheet"] and p["row"] is None},
        unused_files_with_error={p["file"] for p in problems
                                 if p["file"] and p["severity"] == "error" and p["file"] not in used},
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("nothing-lost")
    year_dir = make_inputs(root / "inputs")
    result = build(YEAR, Options(inputs=root / "inputs", outputs=root / "outputs", pdf=False))
    report = json.loads((root / "outputs" / str(YEAR) / f"report-{YEAR}.json").read_text(encoding="utf-8"))
    return {"year_dir": year_dir, "result": result, "report": report,
            "sheets": readable_sheets(year_dir), "account": account(report, result)}


def lost_rows(built: dict) -> list[Where]:
    sheets: list[SheetRows] = built["sheets"]
    checked = [(s.file, s.sheet, n) for s in sheets if s.sheet != "About" for n, _ in s.rows]
    assert len(checked) > 30  # the folder really has rows to lose
    return [where for where in checked if not built["account"].has(where)]


def test_every_data_row_is_in_the_figures_or_in_the_problems(built: dict) -> None:
    assert lost_rows(built) == []


def test_a_row_with_values_only_in_a_column_without_header_is_named(built: dict) -> None:
    named = {(p["file"], p["sheet"], p["row"]) for p in built["report"]["problems"]}
    assert {("BR_2009.xlsx", "KPIs", 19), ("BR_2009.xlsx", "KPIs", 20)} <= named


def test_a_row_with_only_an_output_is_named(built: dict) -> None:
    named = {(p["file"], p["sheet"], p["row"]) for p in built["report"]["problems"]}
    assert ("BR_2009.xlsx", "KPIs", 21) in named


def test_the_about_keys_of_the_contract_are_read(built: dict) -> None:
    returns = {r.file: r for r in built["result"].model.returns}
    assert (returns["BR_2009.xlsx"].bureau, returns["BR_2009.xlsx"].prepared_by) == ("BR", "Test unit")
    assert (returns["BR_2009.xlsx"].date, returns["BR_2009.xlsx"].data_status) == ("2010-01-15", "final")
    assert returns["BDT-returns.xlsx"].bureau == "BDT"  # from the file name
    assert "GS_2009.xlsx" not in returns  # its Year is 2008: an error at About row 2


def test_the_figures_hold_exactly_the_valid_rows(built: dict) -> None:
    report = built["report"]
    kpis = {(k["source"]["file"], k["source"]["row"]): k for k in report["kpis"]}
    assert sorted(kpis) == [("BDT-returns.xlsx", 2), ("BR_2009.xlsx", 5), ("BR_2009.xlsx", 6),
                            ("BR_2009.xlsx", 7), ("BR_2009.xlsx", 18), ("sub/TSB_2009.xlsx", 2)]
    documents = kpis[("BR_2009.xlsx", 6)]
    assert (documents["output"], documents["target"], documents["actual"]) == ("R-01", 1250, 1300)
    share = kpis[("BR_2009.xlsx", 7)]
    assert (share["output"], share["baseline"], share["target"], share["actual"]) == ("R-02", 40, 85, 90)
    assert sorted(f["source"]["row"] for f in report["finance"]) == [2]


def test_every_bad_row_has_an_error_at_its_place(built: dict) -> None:
    errors = {(p["file"], p["sheet"], p["row"]): p for p in built["report"]["problems"] if p["severity"] == "error"}
    expected = {
        ("BR_2009.xlsx", "KPIs", 9): "Target", ("BR_2009.xlsx", "KPIs", 10): "Target",
        ("BR_2009.xlsx", "KPIs", 11): "Direction", ("BR_2009.xlsx", "KPIs", 12): "KPI",
        ("BR_2009.xlsx", "KPIs", 13): "KPI", ("BR_2009.xlsx", "KPIs", 14): "Output",
        ("BR_2009.xlsx", "KPIs", 15): "Output", ("BR_2009.xlsx", "KPIs", 16): "Output",
        ("BR_2009.xlsx", "KPIs", 17): "KPI",
        ("BR_2009.xlsx", "Finance", 3): "Budget", ("BR_2009.xlsx", "Finance", 4): "Budget",
        ("BR_2009.xlsx", "Finance", 5): "Output", ("BR_2009.xlsx", "Finance", 6): "Output",
        ("BR_2009.xlsx", "Finance", 7): "Output",
        ("BR_2009.xlsx", "Proposals", 4): "Proposal", ("BR_2009.xlsx", "Highlights", 4): "Text",
        ("sub/TSB_2009.xlsx", " k_p_i-s ", 3): "actual", ("sub/TSB_2009.xlsx", " k_p_i-s ", 4): "actual",
    }
    assert {where: errors[where]["column"] for where in expected if where in errors} == expected


def test_unreadable_and_unused_files_have_one_error_each_and_skipped_files_none(built: dict) -> None:
    problems = built["report"]["problems"]
    files = {p["file"] for p in problems}
    for name in ("corrupt.xlsx", "GS_2009.xlsx", "Returns_XYZ.xlsx"):
        assert [p["severity"] for p in problems if p["file"] == name] == ["error"], name
    assert not any(name and ("~$" in name or "hidden" in name) for name in files)
    text = json.dumps(built["report"])
    assert "Lock" not in text and "Hidden" not in text
