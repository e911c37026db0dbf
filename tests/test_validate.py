"""Each kind of workbook problem is reported at its exact file, sheet, row and column,
and the row with an error is left out while the rest goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.pipeline.build import read_year
from reportgen.pipeline.ingest import Limits
from reportgen.plan.loader import load_plan
from reportgen.pipeline.validate import parse_number
from workbooks import KPI_HEADER, about, write_workbook

PLAN = load_plan()


def read(inputs: Path, year: int = 2009):
    data, _ = read_year(year, inputs, PLAN, Limits())
    return data


def problems_at(data, file, row=None, column=None, severity="error"):
    return [p for p in data.problems if p.file == file and p.severity == severity
            and (row is None or p.row == row) and (column is None or p.column == column)]


@pytest.mark.parametrize("text, number", [
    (42, 42.0), (1.5, 1.5), ("1,250", 1250.0), ("1 250", 1250.0), (" 42 ", 42.0),
    ("85%", 85.0), ("1\u00a0250,5".replace(",5", ""), 1250.0), ("-3", -3.0), (None, None),
])
def test_numbers_are_read_from_cells_and_text(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["n/a", "about 90", "12 apples", "", True, "1,2,3x"])
def test_text_that_is_not_a_number_is_refused(text):
    if text == "":
        assert parse_number(None) is None
        return
    with pytest.raises(ValueError):
        parse_number(text)


def test_each_row_problem_is_named_at_its_cell(tmp_path):
    rows = [
        ["ITU-R KPIs 2009"],                                   # row 1: a title row
        [],                                                    # row 2
        KPI_HEADER,                                            # row 3: the header
        ["R-01", "Delegates", "number", None, 100, 120, None, None],          # 4 ok
        ["Radio Spectrum Forum", "x", None, None, 1, 1, None, None],          # 5 unknown output
        ["T-04", "y", None, None, 1, 1, None, None],                          # 6 other sector
        ["R-02", None, None, None, 1, 1, None, None],                         # 7 no KPI name
        ["R-03", "z", None, None, None, 1, None, None],                       # 8 no target
        ["R-04", "w", None, None, "n/a", 1, None, None],                      # 9 target not a number
        ["R-05", "v", None, "lots", 10, 1, None, None],                       # 10 baseline not a number
        ["R-06", "u", None, None, 10, "about 9", None, None],                 # 11 actual not a number
        ["R-07", "t", None, None, 10, 9, "up", None],                         # 12 bad direction
        ["R-08", "Same", None, None, 10, 9, None, None],                      # 13 duplicate
        ["radio regulations board", "same", None, None, 10, 9, None, None],   # 14 duplicate (case)
        ["  wrc ", "Spaced", None, None, "1,250", "85%", "LOWER", "<b>x</b>"],  # 15 ok, warning
    ]
    write_workbook(tmp_path / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": rows})
    data = read(tmp_path)
    expected = {
        (5, "Output"): "not an output of the plan",
        (6, "Output"): "belongs to",
        (7, "KPI"): "KPI is empty",
        (8, "Target"): "Target is empty",
        (9, "Target"): "Target is 'n/a': enter a number",
        (10, "Baseline"): "Baseline is 'lots'",
        (11, "Actual"): "Actual is 'about 9'",
        (12, "Direction"): "Direction is 'up'",
        (13, "KPI"): "appears 2 times",
        (14, "KPI"): "appears 2 times",
    }
    for (row, column), words in expected.items():
        found = problems_at(data, "BR_2009.xlsx", row, column)
        assert found, f"no error at row {row}, column {column}"
        assert words in found[0].message
        assert found[0].sheet == "KPIs"
    assert problems_at(data, "BR_2009.xlsx", 9, "Target")[0].cell == "E9"
    assert problems_at(data, "BR_2009.xlsx", 5, "Output")[0].message.count("R-") >= 1  # suggestions
    kept = {(k.output, k.kpi): k for k in data.kpis}
    assert set(kept) == {("R-01", "Delegates"), ("R-01", "Spaced")}
    spaced = kept[("R-01", "Spaced")]
    assert (spaced.target, spaced.actual, spaced.direction, spaced.comment) == (1250.0, 85.0, "lower", "<b>x</b>")
    assert spaced.source.row == 15
    assert problems_at(data, "BR_2009.xlsx", 15, "Output", severity="warning")


def test_unknown_columns_duplicate_headers_and_stray_values_are_reported(tmp_path):
    rows = [
        ["Output", "KPI", "Target", "Actual", "Notes", "Target", None],
        ["R-01", "Delegates", 100, 120, "a note", 5, None],
        ["R-02", "Sessions", 10, 8, None, None, "stray"],
    ]
    write_workbook(tmp_path / "2009" / "BR.xlsx", {"KPIs": rows})
    data = read(tmp_path)
    assert problems_at(data, "BR.xlsx", 1, "Notes", severity="warning")
    assert "appears twice" in problems_at(data, "BR.xlsx", 1, "Target")[0].message
    stray = problems_at(data, "BR.xlsx", 3, "G", severity="warning")
    assert stray and "no header" in stray[0].message
    assert {k.kpi for k in data.kpis} == {"Delegates", "Sessions"}


def test_missing_required_column_and_missing_sheet_are_errors(tmp_path):
    write_workbook(tmp_path / "2009" / "TSB.xlsx", {"KPIs": [["Output", "KPI", "Actual"], ["T-01", "x", 1]]})
    write_workbook(tmp_path / "2009" / "BDT.xlsx", {"Finance": [["Output", "Budget", "Expenditure"], ["D-01", 10, 9]]})
    data = read(tmp_path)
    missing = problems_at(data, "TSB.xlsx", 1)
    assert missing and "Target" in missing[0].message
    assert any("no sheet named 'KPIs'" in p.message for p in problems_at(data, "BDT.xlsx"))
    assert [f.output for f in data.finance] == ["D-01"]  # the Finance sheet still counts


def test_bureau_from_about_or_file_name_and_year_mismatch(tmp_path):
    kpis = [KPI_HEADER, ["INT-01", "Delegations", None, None, 10, 10, None, None]]
    write_workbook(tmp_path / "2009" / "sub" / "returns.xlsx", {"About": about("GS", 2009), "KPIs": kpis})
    write_workbook(tmp_path / "2009" / "BDT-returns.xlsx", {"KPIs": [KPI_HEADER, ["D-01", "Delegations", None, None, 10, 10, None, None]]})
    write_workbook(tmp_path / "2009" / "XYZ.xlsx", {"KPIs": kpis})
    write_workbook(tmp_path / "2009" / "TSB_old.xlsx", {"About": about("TSB", 2008), "KPIs": kpis})
    data = read(tmp_path)
    assert {(r.file, r.bureau) for r in data.returns} == {("sub/returns.xlsx", "GS"), ("BDT-returns.xlsx", "BDT")}
    assert "cannot tell which bureau" in problems_at(data, "XYZ.xlsx")[0].message
    mismatch = problems_at(data, "TSB_old.xlsx")[0]
    assert (mismatch.sheet, mismatch.row, mismatch.column) == ("About", 2, "Year")
    assert any(p.severity == "warning" and "no return received from BR" in p.message for p in data.problems)


def test_lock_and_hidden_files_are_skipped_silently_other_files_warned(tmp_path):
    folder = tmp_path / "2009"
    write_workbook(folder / "BR.xlsx", {"KPIs": [KPI_HEADER, ["R-01", "x", None, None, 1, 1, None, None]]})
    (folder / "~$BR.xlsx").write_bytes(b"lock")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    (folder / "notes.txt").write_text("hello")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    data = read(tmp_path)
    files = {p.file for p in data.problems if p.file}
    assert "~$BR.xlsx" not in files and ".hidden.xlsx" not in files
    assert problems_at(data, "notes.txt", severity="warning")
    assert "save it as .xlsx" in problems_at(data, "old.xls")[0].message
    assert problems_at(data, "broken.xlsx")
    assert [k.kpi for k in data.kpis] == ["x"]


def test_finance_proposals_and_highlights(tmp_path):
    write_workbook(tmp_path / "2009" / "BR.xlsx", {
        "KPIs": [KPI_HEADER, ["R-01", "x", None, None, 1, 1, None, None]],
        "finance": [["output", "BUDGET", "Expenditure"], ["WRC", "1,000", 1200], ["R-02", -5, 3], ["WRC", 1, 1]],
        "Proposals": [["Source", "Refers to", "Proposal"], ["RAG", "R2", "Do more"], ["WRC-07", "Nowhere", "Text"],
                      ["RAG", None, None]],
        "High-lights": [["Refers_to", "Text"], ["ITU-R publications", "Sold out"]],
    })
    data = read(tmp_path)
    assert problems_at(data, "BR.xlsx", 3, "BUDGET")  # negative budget, header as written
    assert len(problems_at(data, "BR.xlsx", column="Output")) == 2  # WRC twice
    assert data.finance == ()
    assert [(p.body, p.refers_to, p.text) for p in data.proposals] == [("RAG", "R2", "Do more"), ("WRC-07", None, "Text")]
    assert problems_at(data, "BR.xlsx", 3, "Refers to", severity="warning")
    assert problems_at(data, "BR.xlsx", 4, "Proposal")
    assert [(h.refers_to, h.text) for h in data.highlights] == [("R-06", "Sold out")]


def test_sample_returns_report_each_deliberate_flaw_where_it_stands():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from make_samples import DELIBERATE_FLAWS

    data = read(Path(__file__).resolve().parents[1] / "inputs")
    for flaw in DELIBERATE_FLAWS:
        found = [p for p in data.problems if (p.file, p.sheet, p.row, p.column) ==
                 (flaw["file"], flaw["sheet"], flaw["row"], flaw["column"])]
        assert found, f"flaw not reported: {flaw}"


def test_unfilled_template_rows_are_skipped_but_coverage_is_warned(tmp_path):
    write_workbook(tmp_path / "2009" / "BR.xlsx", {
        "Instructions": [["How to fill in this return"], ["Step", "Do this"]],
        "KPIs": [KPI_HEADER, ["R-01", "Delegates", None, None, 10, 12, None, None], ["R-02"], ["R-03"]],
        "Finance": [["Output", "Budget", "Expenditure"], ["R-01", 10, 9], ["R-02"]],
    })
    data = read(tmp_path)
    assert not [p for p in data.problems if p.severity == "error"]
    assert not [p for p in data.problems if p.sheet == "Instructions"]
    assert [k.output for k in data.kpis] == ["R-01"] and [f.output for f in data.finance] == ["R-01"]
    assert any("R-02" in p.message and "has no KPI" in p.message for p in data.problems)


@pytest.mark.parametrize("text", ["1,5", "1.250,5", "12,34", "1e30", 1e300])
def test_ambiguous_commas_and_absurd_sizes_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_thousands_commas_are_read():
    assert parse_number("12,500.5") == 12500.5 and parse_number("-1,000") == -1000.0


def test_finance_rows_without_a_rate_and_empty_kpis_sheet_are_warned(tmp_path):
    write_workbook(tmp_path / "2009" / "BR.xlsx", {
        "KPIs": [KPI_HEADER],
        "Finance": [["Output", "Budget", "Expenditure"], ["R-01", 0, 10], ["R-02", 100, None], ["R-03", "1,5", 3]],
    })
    data = read(tmp_path)
    assert problems_at(data, "BR.xlsx", 1, severity="warning")  # the KPIs sheet is empty
    assert "Budget is 0" in problems_at(data, "BR.xlsx", 2, "Budget", severity="warning")[0].message
    assert "Expenditure is empty" in problems_at(data, "BR.xlsx", 3, "Expenditure", severity="warning")[0].message
    assert "only separate thousands" in problems_at(data, "BR.xlsx", 4, "Budget")[0].message
