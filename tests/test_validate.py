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


# -- version 2 columns (contract 8.1, 8.2) -----------------------------------------------------

def test_objective_codes_are_checked_against_the_output_and_carried(tmp_path):
    r01 = PLAN.output("R-01").objectives
    other = next(o.code for o in PLAN.sector("R").objectives if o.code not in r01)
    write_workbook(tmp_path / "2009" / "BR.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER,
        ["R-01", "All objectives", None, None, 10, 10, None, None, None],               # 2: empty
        ["R-01", "One", None, None, 10, 10, None, None, r01[0].lower()],                 # 3: case folded
        ["R-01", "Several", None, None, 10, 10, None, None, f" {', '.join(r01)} ,"],     # 4
        ["R-01", "Not its own", None, None, 10, 10, None, None, f"{r01[0]}, {other}"],   # 5: error
        ["R-01", "Unknown", None, None, 10, 10, None, None, "X9"],                       # 6: error
    ]})
    data = read(tmp_path)
    carried = {k.kpi: k.objectives for k in data.kpis}
    assert carried == {"All objectives": (), "One": (r01[0],), "Several": tuple(r01)}
    for row, wrong in ((5, other), (6, "X9")):
        (error,) = problems_at(data, "BR.xlsx", row, "Objective")
        assert error.cell == f"I{row}"
        assert f"'{wrong}' is not an objective of output R-01" in error.message
        assert ", ".join(r01) in error.message  # says which codes are allowed


def test_a_proposal_ref_is_unique_within_the_year(tmp_path):
    header = ["Source", "Refers to", "Proposal", "Ref"]
    write_workbook(tmp_path / "2009" / "TSB.xlsx", {"About": about("TSB", 2009), "KPIs": [KPI_HEADER],
        "Proposals": [header, ["TSAG", "T-03", "Shorter meetings", "TSAG-2009/3"],
                      ["TSAG", None, "No ref", None],
                      ["TSAG", None, "Unique", "TSAG-2009/4"]]})
    write_workbook(tmp_path / "2009" / "BR.xlsx", {"About": about("BR", 2009), "KPIs": [KPI_HEADER],
        "Proposals": [header, ["RAG", None, "Same ref, other file", "tsag-2009/3 "]]})
    data = read(tmp_path)
    assert sorted((p.text, p.ref) for p in data.proposals) == [("No ref", None), ("Unique", "TSAG-2009/4")]
    for file, row in (("TSB.xlsx", 2), ("BR.xlsx", 2)):
        (error,) = problems_at(data, file, row, "Ref")
        assert "appears 2 times" in error.message and "its own reference" in error.message


# -- careless and hostile content (issue 16) ---------------------------------------------------

def test_an_impossible_about_date_is_a_warning_at_its_cell(tmp_path):
    rows = about("BR", 2009)
    rows[3] = ["Date", "2010-02-30"]
    write_workbook(tmp_path / "2009" / "BR_2009.xlsx", {"About": rows, "KPIs": [
        KPI_HEADER, ["R-01", "Delegates", None, None, 10, 10, None, None]]})
    data = read(tmp_path)
    (warning,) = problems_at(data, "BR_2009.xlsx", 4, "Date", severity="warning")
    assert (warning.sheet, warning.cell) == ("About", "B4")
    assert "'2010-02-30', which is not a date" in warning.message and "YYYY-MM-DD" in warning.message
    assert data.returns[0].date is None  # nothing later stumbles on it
    assert len(data.kpis) == 1


def test_a_control_character_is_replaced_by_a_space_and_warned_at_its_cell(tmp_path):
    # openpyxl writes "_x000B_" as Excel does for a vertical tab; calamine reads it back as one.
    write_workbook(tmp_path / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER, ["R-01", "Space_x000B_notices", "days_x0007_", None, 10, 10, None, "pasted_x000B_from Word"]]})
    data = read(tmp_path)
    (entry,) = data.kpis
    assert (entry.kpi, entry.unit, entry.comment) == ("Space notices", "days", "pasted from Word")
    for column, cell in (("KPI", "B2"), ("Unit", "C2"), ("Comment", "H2")):
        (warning,) = problems_at(data, "BR_2009.xlsx", 2, column, severity="warning")
        assert warning.cell == cell and "control character" in warning.message


def test_a_point_as_thousands_separator_and_figures_1000_times_apart_are_warned(tmp_path):
    write_workbook(tmp_path / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER,
        ["R-01", "Typed as text", None, 1100, "1.250", 1300, None, None],      # 2: 1.25, off from both
        ["R-02", "Point, no baseline", None, None, "2.500", None, None, None],  # 3: only the text says so
        ["R-03", "Number cell", None, None, 1250, 1.25, None, None],            # 4: actual 1000x smaller
        ["R-04", "Fine", None, 0.5, 0.8, 0.75, None, None],                     # 5: nothing to say
    ], "Finance": [["Output", "Budget", "Expenditure"], ["R-01", 3710, "3.731"], ["R-02", 1200, 1180]]})
    data = read(tmp_path)
    (target,) = problems_at(data, "BR_2009.xlsx", 2, "Target", severity="warning")
    assert "Target (1.25) is about 880 times smaller than Baseline (1,100)" in target.message
    assert "type 1,250 without it" in target.message
    (pointed,) = problems_at(data, "BR_2009.xlsx", 3, "Target", severity="warning")
    assert "'2.500' was read as 2.5" in pointed.message and "2500" in pointed.message
    (actual,) = problems_at(data, "BR_2009.xlsx", 4, "Actual", severity="warning")
    assert "1,000 times smaller than Target (1,250)" in actual.message
    assert not problems_at(data, "BR_2009.xlsx", 5, severity="warning")
    (spent,) = [p for p in problems_at(data, "BR_2009.xlsx", 2, "Expenditure", severity="warning") if p.sheet == "Finance"]
    assert "times smaller than Budget (3,710)" in spent.message and "3,731" in spent.message
    assert len(data.kpis) == 4 and len(data.finance) == 2  # warnings: the figures are still used


def test_absurdly_long_texts_are_cut_and_characters_no_font_has_are_named(tmp_path):
    write_workbook(tmp_path / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER,
        ["R-01", "Delegates", None, None, 10, 10, None, "x" * 10_000],
        ["R-02", "Launches \U0001F680", None, None, 10, 10, None, "中文 العربية Ελληνικά"],
    ]})
    data = read(tmp_path)
    long, rocket = data.kpis
    (cut,) = problems_at(data, "BR_2009.xlsx", 2, "Comment", severity="warning")
    assert cut.cell == "H2" and "10,000 characters long" in cut.message and "cut after 1,500" in cut.message
    assert len(long.comment) == 1501
    (boxes,) = problems_at(data, "BR_2009.xlsx", 3, "KPI", severity="warning")
    assert "U+1F680 ROCKET" in boxes.message and "empty boxes" in boxes.message
    assert rocket.kpi == "Launches \U0001F680"  # kept as written: only the Bureau can say what it meant
    assert not problems_at(data, "BR_2009.xlsx", 3, "Comment", severity="warning")  # Chinese, Arabic, Greek: shown


def test_a_file_name_with_a_newline_cannot_forge_lines_of_validate_output(tmp_path, capsys):
    from reportgen.cli import main

    name = "BR_2009.xlsx\nGS_2009.xlsx:KPIs:7:Actual: error: forged"
    write_workbook(tmp_path / "2009" / f"{name}.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER, ["R-01", "Delegates", None, None, "n/a", 10, None, None]]})
    main(["validate", "--year", "2009", "--inputs", str(tmp_path)])
    out = capsys.readouterr().out
    assert not [line for line in out.splitlines() if line.startswith("GS_2009.xlsx:KPIs:7")]
    assert "BR_2009.xlsx\\nGS_2009.xlsx:KPIs:7:Actual: error: forged.xlsx:KPIs:2:Target: error:" in out
