"""The annual build reads the frames (reportgen/pipeline/analyse.py): its records hold exactly
the numbers of `frames.join`'s tables, a KPI counts only under the objectives its `Objective`
column names (contract 8.1) on a case computed by hand, a KPI's earlier years are those of the
years read, and the data workbook is written from the frames."""

from __future__ import annotations

import dataclasses
import io
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportgen.model import STATUSES, FinanceEntry, KPIEntry, ReturnInfo, Source, YearData
from reportgen.options import Options
from reportgen.pipeline import analyse
from reportgen.pipeline.build import Timings, assemble_with_frames, load_inputs
from reportgen.plan.loader import load_plan
from reportgen.settings import Thresholds

ROOT = Path(__file__).resolve().parents[1]
PLAN = load_plan()


def kpi(output: str, name: str, target: float, actual: float | None, *, row: int,
        objectives: tuple[str, ...] = ()) -> KPIEntry:
    return KPIEntry("GS", PLAN.output(output).sector, output, name, None, None, target, actual, "higher", None,
                    Source("GS.xlsx", "KPIs", row), objectives=objectives)


def year_data(year: int, kpis=(), finance=()) -> YearData:
    return YearData(year, (ReturnInfo("GS.xlsx", "GS", None, f"{year + 1}-01-15", "final", None),),
                    tuple(kpis), tuple(finance), (), (), ())


def counts(achieved: int, partially: int, not_achieved: int, not_reported: int) -> dict:
    return dict(zip(STATUSES, (achieved, partially, not_achieved, not_reported)))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The 2009 sample's model and the frames it was computed from."""
    options = Options(inputs=ROOT / "inputs", outputs=tmp_path_factory.mktemp("out"))
    config, returns = load_inputs(2009, options, Timings())
    model, tables = assemble_with_frames(config, returns, Timings())
    return config, returns, model, tables


def test_the_annual_records_hold_the_frames_numbers(sample):
    _, _, model, tables = sample
    kpis = tables.kpis[tables.kpis["year"] == 2009]
    assert len(model.kpis) == len(kpis) == 106
    for k, row in zip(model.kpis, kpis.itertuples()):
        assert (k.entry.output, k.entry.kpi, k.entry.source.file, k.entry.source.row) == (
            row.output, row.kpi, row.file, row.row)
        assert (k.status, k.objectives, k.goals) == (row.status, row.objectives, row.goals)
        assert k.achievement == row.achievement or (k.achievement is None and math.isnan(row.achievement))
    finance = tables.finance[tables.finance["year"] == 2009]
    assert [(f.output, f.execution) for f in model.finance] == [
        (r.output, None if math.isnan(r.execution) else r.execution) for r in finance.itertuples()]
    # Roll-ups: one computation, so equal to the last digit (not approximately).
    objectives = tables.objectives[tables.objectives["year"] == 2009].set_index("objective")
    for o in model.objectives:
        row = objectives.loc[o.objective.code]
        assert o.status_counts == {s: row[s] for s in STATUSES}
        assert (o.budget, o.expenditure) == (row["budget"], row["expenditure"])
    goals = tables.goals[tables.goals["year"] == 2009].set_index("goal")
    for g in model.goals:
        assert g.status_counts == {s: goals.loc[g.goal.code, s] for s in STATUSES}
    sectors = tables.sectors[tables.sectors["year"] == 2009].set_index("sector")
    for s in model.sectors:
        row = sectors.loc[s.sector.code]
        assert (s.budget, s.expenditure) == (row["budget"], row["expenditure"])
        assert s.status_counts == {status: row[status] for status in STATUSES}
        for output in s.outputs:
            assert output.status_counts == analyse.count_statuses(output.kpis)
    assert model.status_counts == analyse.count_statuses(model.kpis)
    assert sum(model.status_counts.values()) == 106


def test_a_kpi_counts_under_the_objectives_its_objective_column_names_in_the_annual_model():
    # INT-06 and INT-07 both serve INT3 (goals G1 G2 G4 G5 G6 G7) and INT4 (goals G1 G3 G7).
    assert PLAN.output("INT-06").objectives == PLAN.output("INT-07").objectives == ("INT3", "INT4")
    data = year_data(2009, [
        kpi("INT-06", "Opinions adopted", 6, 6, row=4, objectives=("INT4",)),  # achieved
        kpi("INT-06", "Experts group meetings", 2, 0.5, row=5),  # 0.25: not achieved, both objectives
        kpi("INT-06", "Reports", 10, 6, row=6, objectives=("INT3",)),  # 0.6: partially achieved
        kpi("INT-07", "Contributions", 40, None, row=4),  # not reported, both objectives
    ], [FinanceEntry("GS", "INT-06", 300.0, 240.0, Source("GS.xlsx", "Finance", 2)),
        FinanceEntry("GS", "INT-07", 100.0, 130.0, Source("GS.xlsx", "Finance", 3))])
    results = analyse.analyse(PLAN, [data], Thresholds()).year(data)

    assert [k.objectives for k in results.kpis] == [("INT4",), ("INT3", "INT4"), ("INT3",), ("INT3", "INT4")]
    assert results.kpis[0].goals == ("G1", "G3", "G7")
    objectives = {o.objective.code: o for o in results.objectives}
    assert objectives["INT3"].status_counts == counts(0, 1, 1, 1)
    assert objectives["INT4"].status_counts == counts(1, 0, 1, 1)
    # Money: each output's split equally between its two objectives, whatever its KPIs measure.
    assert (objectives["INT3"].budget, objectives["INT3"].expenditure) == (150.0 + 50.0, 120.0 + 65.0)
    assert objectives["INT4"].execution == 185.0 / 200.0
    goals = {g.goal.code: g.status_counts for g in results.goals}
    assert goals["G3"] == counts(1, 0, 1, 1)  # INT4's KPIs only
    assert goals["G2"] == counts(0, 1, 1, 1)  # INT3's KPIs only
    assert goals["G1"] == counts(1, 1, 1, 1)  # both objectives serve G1: each KPI once
    sector = next(s for s in results.sectors if s.sector.code == "INT")
    outputs = {o.output.code: o for o in sector.outputs}
    assert outputs["INT-06"].status_counts == counts(1, 1, 1, 0)
    assert outputs["INT-07"].status_counts == counts(0, 0, 0, 1)
    assert [k.entry.kpi for k in outputs["INT-06"].kpis] == ["Opinions adopted", "Experts group meetings", "Reports"]
    assert (sector.budget, sector.expenditure, sector.execution) == (400.0, 370.0, 370.0 / 400.0)
    assert sector.status_counts == counts(1, 1, 1, 1)
    assert [(f.output, f.execution) for f in results.finance] == [("INT-06", 0.8), ("INT-07", 1.3)]
    assert results.status_counts == counts(1, 1, 1, 1)
    # The record-level roll-up gives the same, from the records' own objectives.
    rolled = analyse.roll_up(PLAN, data, results.kpis, results.finance)
    assert rolled == (results.sectors, results.objectives, results.goals)


def test_a_kpis_earlier_years_are_the_years_read_before_it_oldest_first():
    on_time = "Council documents on time"
    years = [year_data(2007, [kpi("INT-02", on_time, 90, 95, row=4), kpi("INT-02", "Dropped", 5, 1, row=5)]),
             year_data(2008, [kpi("INT-02", "Council  documents on TIME", 90, 40, row=4)]),
             year_data(2009, [kpi("INT-02", on_time.upper(), 90, 80, row=4),
                              kpi("INT-02", "Dropped", 5, 5, row=5)])]
    analysis = analyse.analyse(PLAN, reversed(years), Thresholds())  # any order: by year
    now = analysis.year(years[2])
    assert [(h.year, h.target, h.actual, h.status, h.achievement) for h in now.kpis[0].history] == [
        (2007, 90, 95, "achieved", 95 / 90), (2008, 90, 40, "not achieved", 40 / 90)]
    assert [h.year for h in now.kpis[1].history] == [2007]  # not listed in 2008: no point for it
    # The year before, from the same frames, sees only the years before it.
    before = analysis.year(years[1])
    assert [h.year for h in before.kpis[0].history] == [2007]
    assert analysis.reported_outputs(2008) == frozenset({"INT-02"})
    assert analysis.reported_outputs(2006) is None  # not read


def test_the_data_workbook_is_written_from_the_frames(sample):
    from reportgen.render.dataworkbook import data_workbook
    from reportgen.render.report import report_json

    config, returns, model, tables = sample
    report = report_json(model)
    from_frames = data_workbook(model, report, tables)
    assert from_frames == data_workbook(model, report, tables)  # the same bytes every time
    assert from_frames == data_workbook(model, report)  # the same cells as the report's JSON gives

    # A KPI name that looks like a formula stays text on the way through the frames.
    first = returns.current.kpis[0]
    hostile = dataclasses.replace(first, kpi='=HYPERLINK("http://attacker.example","click")')
    current = dataclasses.replace(returns.current, kpis=(hostile, *returns.current.kpis[1:]))
    model, tables = assemble_with_frames(config, dataclasses.replace(returns, current=current), Timings())
    data = data_workbook(model, report_json(model), tables)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
        strings = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in archive.namelist() else b""
    assert b"<f>" not in sheets and b"<f " not in sheets
    assert b"HYPERLINK" in sheets + strings


def test_the_build_modules_do_not_import_pandas_until_the_analysis_runs():
    code = ("import sys, reportgen.cli, reportgen.pipeline.build, reportgen.pipeline.assembly, "
            "reportgen.pipeline.analyse\nprint('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
