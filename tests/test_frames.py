"""The returns and the plan as DataFrames (reportgen/pipeline/frames.py) and the analysts' API
`reportgen.tables`: the frames agree with the annual report's JSON, achievement and status
follow contract section 3 on hand-computed cases, and a KPI counts only under the objectives its
`Objective` column names (contract 8.1)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import reportgen
from reportgen.errors import ReportgenError
from reportgen.model import FinanceEntry, KPIEntry, ReturnInfo, Source, YearData
from reportgen.pipeline import analyse, frames
from reportgen.plan.loader import load_plan
from reportgen.settings import Thresholds

ROOT = Path(__file__).resolve().parents[1]
PLAN = load_plan()


def kpi(output: str, name: str, target: float, actual: float | None, *, row: int, baseline: float | None = None,
        direction: str = "higher", objectives: tuple[str, ...] = (), bureau: str = "GS", file: str = "GS.xlsx"):
    sector = PLAN.output(output).sector
    return KPIEntry(bureau, sector, output, name, None, baseline, target, actual, direction, None,
                    Source(file, "KPIs", row), objectives=objectives)


def year_data(year: int, kpis=(), finance=(), bureaux=("GS",), status: str | None = None) -> YearData:
    returns = tuple(ReturnInfo(f"{b}.xlsx", b, None, f"{year + 1}-01-15", status, None) for b in bureaux)
    return YearData(year, returns, tuple(kpis), tuple(finance), (), (), ())


# -- the sample returns: frames against the annual report's JSON -----------------------------------

@pytest.fixture(scope="module")
def sample_tables():
    return reportgen.tables(ROOT / "inputs", [2008, 2009])


def test_kpi_frame_agrees_with_the_annual_json(built, sample_tables):
    report = built["json"]
    kpis = sample_tables.kpis[sample_tables.kpis["year"] == 2009]
    assert len(kpis) == len(report["kpis"]) == 106
    for row, expected in zip(kpis.itertuples(), report["kpis"]):
        assert (row.bureau, row.output, row.kpi, row.status) == (
            expected["bureau"], expected["output"], expected["kpi"], expected["status"])
        if expected["achievement"] is None:
            assert math.isnan(row.achievement)
        else:
            assert row.achievement == expected["achievement"]  # the same formula, bit for bit
        assert list(row.objectives) == expected["objectives"] and list(row.goals) == expected["goals"]
        assert (row.file, row.sheet, row.row) == (expected["source"]["file"], expected["source"]["sheet"],
                                                  expected["source"]["row"])
        assert row.output_name == PLAN.output(row.output).name


def test_roll_ups_agree_with_the_annual_json(built, sample_tables):
    report = built["json"]
    objectives = sample_tables.objectives[sample_tables.objectives["year"] == 2009].set_index("objective")
    for expected in report["objectives"]:
        got = objectives.loc[expected["code"]]
        assert {s: int(got[s]) for s in expected["status_counts"]} == expected["status_counts"]
        assert got["budget"] == pytest.approx(expected["budget"])
        assert got["expenditure"] == pytest.approx(expected["expenditure"])
        assert got["title"] == PLAN.objective(expected["code"]).title
    goals = sample_tables.goals[sample_tables.goals["year"] == 2009].set_index("goal")
    for expected in report["goals"]:
        got = goals.loc[expected["code"]]
        assert {s: int(got[s]) for s in expected["status_counts"]} == expected["status_counts"]
        assert list(got["objectives"]) == expected["objectives"]
    sectors = sample_tables.sectors[sample_tables.sectors["year"] == 2009]
    assert sectors["budget"].sum() == pytest.approx(report["summary"]["budget"])
    assert sectors["expenditure"].sum() == pytest.approx(report["summary"]["expenditure"])


def test_finance_and_problems_agree_with_the_annual_json(built, sample_tables):
    report = built["json"]
    finance = sample_tables.finance[sample_tables.finance["year"] == 2009]
    assert [(r.output, r.budget, r.expenditure, r.file, r.row) for r in finance.itertuples()] == [
        (f["output"], f["budget"], f["expenditure"], f["source"]["file"], f["source"]["row"]) for f in report["finance"]]
    for row, expected in zip(finance.itertuples(), report["finance"]):
        assert (math.isnan(row.execution) if expected["execution"] is None
                else row.execution == pytest.approx(expected["execution"]))
    problems = sample_tables.problems[sample_tables.problems["year"] == 2009]

    def key(file, sheet, row, column, message):
        return tuple(None if pd.isna(v) else int(v) if isinstance(v, (int, float)) or hasattr(v, "item") else v
                     for v in (file, sheet, row, column, message))

    assert sorted(map(str, (key(p.file, p.sheet, p.row, p.column, p.message) for p in problems.itertuples()))) == \
        sorted(map(str, (key(p["file"], p["sheet"], p["row"], p["column"], p["message"]) for p in report["problems"]
                         if p["file"] != "secretariat.yaml")))  # the annual build's own input, not a return


def test_the_plans_tables_are_frames():
    plan = frames.plan_frames(PLAN)
    assert len(plan.outputs) == 45 and len(plan.objectives) == 24 and len(plan.goals) == 7
    # Tables 4.1-7.1 and 8.1 as link tables: T-04 serves six objectives; R4 serves goal G6 only.
    assert sorted(plan.output_objectives.query("output == 'T-04'")["objective"]) == ["T1", "T2", "T4", "T5", "T6", "T7"]
    assert list(plan.objective_goals.query("objective == 'R4'")["goal"]) == ["G6"]
    joined = plan.output_objectives.merge(plan.objective_goals, on="objective")
    assert set(joined.query("output == 'R-06'")["goal"]) == {"G6"}


# -- contract section 3 on whole columns ------------------------------------------------------------

CASES = [  # target, actual, baseline, direction, achievement computed by hand
    (100, 80, None, "higher", 0.8),
    (100, 130, 40, "higher", 1.5),  # (130 - 40) / (100 - 40)
    (10, 20, None, "lower", 0.5),  # 10 / 20
    (8, 13, 18, "lower", 0.5),  # (18 - 13) / (18 - 8)
    (50, 50, 50, "higher", 1.0),  # denominator 0, target met
    (50, 40, 50, "higher", 0.0),  # denominator 0, target missed
    (0, 0, None, "lower", 1.0),  # 0 / 0 where lower is better and the target is met
    (90, None, 70, "higher", None),  # not reported
]


def test_achievement_and_status_by_column_match_contract_section_3():
    frame = pd.DataFrame(CASES, columns=["target", "actual", "baseline", "direction", "expected"])
    frame[["target", "actual", "baseline"]] = frame[["target", "actual", "baseline"]].astype("float64")
    got = frames.achievement(frame)
    for value, (target, actual, baseline, direction, expected) in zip(got, CASES):
        assert (math.isnan(value) if expected is None else value == pytest.approx(expected))
        one_row = analyse.achievement(target, actual, baseline, direction)
        assert (one_row is None and math.isnan(value)) or one_row == pytest.approx(value)
    statuses = frames.status(got, Thresholds())
    assert list(statuses) == ["partially achieved", "achieved", "partially achieved", "partially achieved",
                              "achieved", "not achieved", "achieved", "not reported"]
    assert list(frames.status(got, Thresholds(achieved=0.8, partially_achieved=0.6)))[:3] == [
        "achieved", "achieved", "not achieved"]


# -- contract 8.1: a KPI counts under the objectives it measures --------------------------------------

def test_objective_column_counts_a_kpi_only_under_the_objectives_it_names():
    # INT-06 serves INT3 (goals G1 G2 G4 G5 G6 G7) and INT4 (goals G1 G3 G7).
    named = kpi("INT-06", "Opinions adopted", 6, 6, row=4, objectives=("INT4",))  # achieved
    unnamed = kpi("INT-06", "Experts group meetings", 2, 0.5, row=5)  # not achieved, both objectives
    tables = frames.join(PLAN, [year_data(2009, [named, unnamed],
                                          [FinanceEntry("GS", "INT-06", 300.0, 240.0, Source("GS.xlsx", "Finance", 2))])])
    kpis = tables.kpis.set_index("kpi")
    assert kpis.loc["Opinions adopted", "objectives"] == ("INT4",)
    assert kpis.loc["Opinions adopted", "goals"] == ("G1", "G3", "G7")
    assert kpis.loc["Experts group meetings", "objectives"] == ("INT3", "INT4")
    assert kpis.loc["Experts group meetings", "goals"] == ("G1", "G2", "G3", "G4", "G5", "G6", "G7")

    objectives = tables.objectives.set_index("objective")
    assert objectives.loc["INT4", ["achieved", "not achieved"]].tolist() == [1, 1]
    assert objectives.loc["INT3", ["achieved", "not achieved"]].tolist() == [0, 1]
    # Money is the output's, split equally between the objectives it serves, whatever its KPIs measure.
    assert objectives.loc["INT3", "budget"] == objectives.loc["INT4", "budget"] == 150.0
    assert objectives.loc["INT3", "expenditure"] == 120.0
    goals = tables.goals.set_index("goal")
    assert goals.loc["G3", ["achieved", "not achieved"]].tolist() == [1, 1]  # via INT4 only
    assert goals.loc["G2", ["achieved", "not achieved"]].tolist() == [0, 1]  # INT3: the unnamed KPI only
    assert goals.loc["G1", ["achieved", "not achieved"]].tolist() == [1, 1]  # each KPI once
    links = tables.kpi_objectives
    assert sorted(links["objective"]) == ["INT3", "INT4", "INT4"]
    assert set(links.loc[links["kpi"] == "Opinions adopted", "objective_title"]) == {PLAN.objective("INT4").title}


def test_a_kpi_with_an_empty_objective_column_counts_under_all_its_outputs_objectives():
    plain = KPIEntry("GS", "INT", "INT-07", "Contributions received on the ITRs", None, None, 40, 50, "higher",
                     None, Source("GS.xlsx", "KPIs", 4))
    tables = frames.join(PLAN, [year_data(2009, [plain])])
    assert tables.kpis.loc[0, "objectives"] == ("INT3", "INT4")


def test_series_pivot_has_a_column_per_year_and_a_gap_where_a_year_did_not_list_the_kpi():
    years = [year_data(2008, [kpi("INT-02", "Council documents on time", 90, 95, row=4)]),
             year_data(2009, [kpi("INT-02", "Council  documents on TIME", 90, 80, row=4),
                              kpi("INT-02", "New in 2009", 10, 12, row=5)])]
    tables = frames.join(PLAN, years)
    actual = frames.kpi_series(tables.kpis, [2008, 2009], "actual")
    assert actual.loc[("GS", "INT-02", "council documents on time")].tolist() == [95.0, 80.0]
    assert math.isnan(actual.loc[("GS", "INT-02", "new in 2009"), 2008])


# -- the API ---------------------------------------------------------------------------------------------

def test_tables_reads_a_period_skipping_years_without_a_folder(tmp_path):
    import shutil

    for year in ("2008", "2010"):
        shutil.copytree(ROOT / "inputs" / year, tmp_path / year)
    tables = reportgen.tables(tmp_path, "2008-2011")
    assert tables.years == (2008, 2010)
    assert set(tables.kpis["year"]) == {2008, 2010}
    with pytest.raises(ReportgenError, match=r"no folder for 2009 under .*years there: 2008, 2010"):
        reportgen.tables(tmp_path, [2008, 2009])
    with pytest.raises(ReportgenError, match="no inputs folder"):
        reportgen.tables(tmp_path / "nowhere")


def test_importing_reportgen_does_not_import_pandas():
    """The command line starts without pandas (its import costs a quarter of a second): only
    the stages that work on the frames (checking the KPIs sheets, the analysis) load it."""
    code = ("import sys, reportgen, reportgen.cli\n"
            "from reportgen.cli import main\n"
            "from reportgen.pipeline import build, ingest, validate\n"
            "print(json.dumps('pandas' in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True)
    assert json.loads(done.stderr.strip().splitlines()[-1]) is False


def test_the_data_workbook_sheets_can_be_made_from_the_frames(built, sample_tables):
    """data-2009.xlsx as the annual build wrote it, sheet by sheet, against `frames.data_sheets`."""
    import openpyxl

    book = openpyxl.load_workbook(built["folder"] / "data-2009.xlsx", read_only=True)
    sheets = frames.data_sheets(sample_tables, 2009)
    for name in ("KPIs", "Finance", "Objectives", "Goals", "Problems"):
        header, *rows = [list(r) for r in book[name].iter_rows(values_only=True)]
        frame = sheets[name]
        assert list(frame.columns) == header
        got = [[None if not isinstance(v, tuple) and pd.isna(v) else v for v in r] for r in frame.itertuples(index=False)]
        if name == "Problems":  # the annual report sorts them by place; the frames keep reading order
            rows = [r for r in rows if r[1] != "secretariat.yaml"]  # the build's own input, not a return
            got, rows = sorted(got, key=str), sorted(rows, key=str)
        assert len(got) == len(rows)
        for mine, theirs in zip(got, rows):
            assert mine == pytest.approx(theirs), name  # the workbook keeps 15 significant digits
    book.close()
