"""The KPIs sheets are checked as whole columns (pipeline/kpisheet.py), a chunk of rows at a
time: what a Bureau's officer reads must not depend on that. Every problem stays at its cell,
in the order of files, rows and then the row's columns, whatever the chunk size."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.pipeline import kpisheet
from reportgen.pipeline.build import read_year
from reportgen.pipeline.ingest import Limits
from reportgen.plan.loader import load_plan
from workbooks import KPI_HEADER, about, write_workbook

PLAN = load_plan()
OBJECTIVE = KPI_HEADER.index("Objective")


def kpi_row(output, name, target, actual=None, baseline=None, direction=None, unit=None, comment=None,
            objective=None):
    row = [None] * len(KPI_HEADER)
    for header, value in (("Output", output), ("KPI", name), ("Target", target), ("Actual", actual),
                          ("Baseline", baseline), ("Direction", direction), ("Unit", unit),
                          ("Comment", comment), ("Objective", objective)):
        row[KPI_HEADER.index(header)] = value
    return row


@pytest.fixture(scope="module")
def year_folder(tmp_path_factory) -> Path:
    """Three returns with a problem of every kind the column checks find, across files."""
    inputs = tmp_path_factory.mktemp("kpisheet")
    write_workbook(inputs / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER,
        kpi_row("R-01", "Delegates trained", 100, 120),                          # 2 fine
        kpi_row("R-99", "Unknown output", 1, 1),                                # 3 error: output
        kpi_row("R-02", "Typed as text", "1,250", "85%", "n/a"),                # 4 error: baseline
        kpi_row("R-03", "A slip", 3.731, 3731),                                 # 5 warning: slip
        kpi_row("R-04", "  Spaced name ", 10, 9, direction="UP"),               # 6 warning + error
        kpi_row("R-05", "Délégués formés", 10, 9, comment="bon commentaire \ue000"),  # 7 warning: no glyph
        kpi_row("R-06", None, 10, 9),                                           # 8 error: no name
        kpi_row("R-01", "delegates  TRAINED", 5, 5),                            # 9 duplicate of row 2
        kpi_row("R-07", "Lower, zero", 0, 1, direction="lower"),                # 10 warning: target 0
        kpi_row("R-08", None, None),                                            # 11 an unfilled row
        kpi_row("R-01", "Measures one objective", 10, 10, objective="R1"),      # 12 fine, 8.1
        kpi_row("R-01", "Measures a wrong one", 10, 10, objective="R9"),        # 13 error: objective
    ]})
    write_workbook(inputs / "2009" / "TSB_2009.xlsx", {"About": about("TSB", 2009), "KPIs": [
        KPI_HEADER,
        kpi_row("T-01", "Recommendations approved", 50, 55),                    # 2 fine
        kpi_row("T-02", "Target left empty", None, 5),                          # 3 error: target
        kpi_row("R-01", "Another sector's output", 5, 5),                       # 4 error: sector
        kpi_row("T-03", "Too big", 1e16, 5),                                    # 5 error: target
        kpi_row("T-04", True, 5, 5),                                            # 6 a number-less name
    ]})
    write_workbook(inputs / "2009" / "BDT_2009.xlsx", {"About": about("BDT", 2009), "KPIs": [
        KPI_HEADER, kpi_row("D-01", "Centres of excellence", 10, 12, unit="centres")]})
    return inputs


def read(inputs: Path):
    return read_year(2009, inputs, PLAN, Limits())[0]


def test_the_chunk_size_changes_nothing_a_reader_sees(year_folder, monkeypatch):
    whole = read(year_folder)
    monkeypatch.setattr(kpisheet.KPIRows, "CHUNK_ROWS", 2)
    in_pieces = read(year_folder)
    assert in_pieces.problems == whole.problems
    assert in_pieces.kpis == whole.kpis
    assert len(whole.kpis) == 7


def test_each_problem_is_at_its_cell_in_reading_order(year_folder):
    data = read(year_folder)
    kpi_problems = [(p.file, p.row, p.column, p.severity) for p in data.problems
                    if p.sheet == "KPIs" and p.row is not None]
    order = {"BDT_2009.xlsx": 0, "BR_2009.xlsx": 1, "TSB_2009.xlsx": 2}  # the files as found, sorted
    # The row checks first, file by file and row by row; the duplicates, found across files, after.
    places = [(order[file], row) for file, row, _, _ in kpi_problems]
    duplicates = [i for i, p in enumerate(data.problems) if "appears 2 times" in p.message]
    row_checks = [(order[p.file], p.row) for p in data.problems[:min(duplicates)]
                  if p.sheet == "KPIs" and p.row is not None]
    assert row_checks == sorted(row_checks)
    assert len(row_checks) + len(duplicates) + 1 == len(places)  # and the unfilled row, under coverage
    expected = {
        ("BR_2009.xlsx", 3, "Output", "error"), ("BR_2009.xlsx", 4, "Baseline", "error"),
        ("BR_2009.xlsx", 5, "Target", "warning"), ("BR_2009.xlsx", 6, "KPI", "warning"),
        ("BR_2009.xlsx", 6, "Direction", "error"), ("BR_2009.xlsx", 7, "Comment", "warning"),
        ("BR_2009.xlsx", 8, "KPI", "error"), ("BR_2009.xlsx", 2, "KPI", "error"),
        ("BR_2009.xlsx", 9, "KPI", "error"), ("BR_2009.xlsx", 10, "Target", "warning"),
        ("BR_2009.xlsx", 13, "Objective", "error"),
        ("TSB_2009.xlsx", 3, "Target", "error"), ("TSB_2009.xlsx", 4, "Output", "error"),
        ("TSB_2009.xlsx", 5, "Target", "error"),
    }
    assert expected <= set(kpi_problems), expected - set(kpi_problems)
    cells = {(p.file, p.row, p.column): p.cell for p in data.problems if p.sheet == "KPIs"}
    assert cells[("BR_2009.xlsx", 6, "Direction")] == f"{chr(ord('A') + KPI_HEADER.index('Direction'))}6"


def test_values_are_read_as_the_contract_says(year_folder):
    kpis = {(k.source.file, k.source.row): k for k in read(year_folder).kpis}
    assert set(kpis) == {("BR_2009.xlsx", 5), ("BR_2009.xlsx", 7), ("BR_2009.xlsx", 10), ("BR_2009.xlsx", 12),
                         ("TSB_2009.xlsx", 2), ("TSB_2009.xlsx", 6), ("BDT_2009.xlsx", 2)}
    slip = kpis[("BR_2009.xlsx", 5)]
    assert (slip.output, slip.target, slip.actual, slip.direction) == ("R-03", 3.731, 3731.0, "higher")
    accented = kpis[("BR_2009.xlsx", 7)]
    assert (accented.kpi, accented.comment) == ("Délégués formés", "bon commentaire \ue000")
    lower = kpis[("BR_2009.xlsx", 10)]
    assert (lower.target, lower.direction, lower.baseline) == (0.0, "lower", None)
    assert kpis[("BR_2009.xlsx", 12)].objectives == ("R1",)
    assert kpis[("TSB_2009.xlsx", 6)].kpi == "True"  # a checkbox cell pasted as a name: shown as typed
    centres = kpis[("BDT_2009.xlsx", 2)]
    assert (centres.bureau, centres.sector, centres.unit, centres.target, centres.actual) == \
        ("BDT", "D", "centres", 10.0, 12.0)
    assert all(type(k.target) is float for k in kpis.values())


def test_an_unfilled_template_row_is_named_once_under_coverage(year_folder):
    data = read(year_folder)
    unfilled = [p for p in data.problems if p.file == "BR_2009.xlsx" and p.row == 11]
    assert len(unfilled) == 1 and "R-08" in unfilled[0].message and unfilled[0].severity == "warning"


def test_a_name_spelt_otherwise_than_the_year_before_is_matched_with_a_warning(tmp_path):
    write_workbook(tmp_path / "2008" / "BR.xlsx", {"About": about("BR", 2008),
                                                   "KPIs": [KPI_HEADER, kpi_row("R-01", "Delegates trained", 90, 95)]})
    write_workbook(tmp_path / "2009" / "BR.xlsx", {"About": about("BR", 2009),
                                                   "KPIs": [KPI_HEADER, kpi_row("R-01", "delegates Trained", 100, 99),
                                                            kpi_row("R-02", "New one", 1, 1)]})
    earlier = read_year(2008, tmp_path, PLAN, Limits())[0]
    data = read_year(2009, tmp_path, PLAN, Limits(), earlier)[0]
    warned = [p for p in data.problems if "matched anyway" in p.message]
    assert [(p.row, p.column) for p in warned] == [(2, "KPI")]
    assert "'Delegates trained' in 2008" in warned[0].message
    assert len(data.kpis) == 2
