"""From validated entries to results, for the annual report: the frames of `frames.join` (the
same the plan-period assessment reads) turned back into the frozen records that rules, advice
and templates read.

Everything computed is computed on the frames: achievement and status (contract section 3),
the KPIs each objective and goal counts (contract 8.1: the objectives a KPI measures), each
output's execution rate, the money of objectives (an output's budget split equally between its
objectives, section 4) and sectors, and each KPI's earlier years (a pivot of the years read).
This module only looks the results up, row by row, and keeps the records the returns gave.

pandas is imported here inside the functions only: the build imports this module lazily, and
`reportgen validate` never does.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from reportgen.format import Status
from reportgen.model import (STATUSES, FinanceEntry, FinanceResult, GoalResult, HistoryPoint,
                             KPIResult, ObjectiveResult, OutputResult, SectorResult, StatusCounts, YearData)
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds

if TYPE_CHECKING:
    import pandas as pd

    from reportgen.pipeline.frames import Tables


@dataclass(frozen=True, slots=True)
class YearResults:
    """One year's results as the report model holds them."""

    kpis: tuple[KPIResult, ...]  # in the report's order: the plan's outputs, then file and row
    finance: tuple[FinanceResult, ...]  # in the plan's order of outputs
    sectors: tuple[SectorResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    goals: tuple[GoalResult, ...]
    status_counts: StatusCounts  # of every KPI of the year
    budget: float  # the sectors' totals
    expenditure: float
    execution: float | None


@dataclass(frozen=True)
class Analysis:
    """The returns of a build's years joined with the plan (`frames.Tables`)."""

    plan: Plan
    tables: Tables

    def year(self, data: YearData) -> YearResults:
        """The results of `data`'s year, with the years before it (among those read) as history."""
        return _year_results(self.plan, self.tables, data)

    def reported_outputs(self, year: int) -> frozenset[str] | None:
        """The outputs with at least one KPI with an actual in `year`; None if it was not read."""
        if year not in self.tables.years:
            return None
        kpis = self.tables.kpis
        return frozenset(kpis.loc[(kpis["year"] == year) & kpis["actual"].notna(), "output"])


def analyse(plan: Plan, years: Iterable[YearData], thresholds: Thresholds) -> Analysis:
    """Every year read, as frames, once: the annual build takes its year and the year before
    from the same tables."""
    from reportgen.pipeline import frames

    return Analysis(plan, frames.join(plan, sorted(years, key=lambda y: y.year), thresholds))


# -- the frame rows as records -----------------------------------------------------------------------

def _number(value: Any) -> float | None:
    """A frame's number as the records carry it: a float, None where the frame has NaN."""
    return None if value is None or math.isnan(value) else float(value)


def _counts(row: Any) -> StatusCounts:
    return {s: int(row[s]) for s in STATUSES}


def _year_results(plan: Plan, tables: Tables, data: YearData) -> YearResults:
    from reportgen.pipeline import frames

    year = data.year
    all_kpis = tables.kpis
    kpis = all_kpis[all_kpis["year"] == year]
    history = _history(tables, kpis, year)
    kpi_results = tuple(
        KPIResult(entry=tables.kpi_entries[kpi_id], achievement=_number(achieved), status=Status(status),
                  objectives=objectives, goals=goals, history=history.get(kpi_id, ()))
        for kpi_id, achieved, status, objectives, goals in zip(
            kpis.index, kpis["achievement"].to_numpy(), kpis["status"], kpis["objectives"], kpis["goals"]))

    finance = tables.finance[tables.finance["year"] == year]
    finance_results = []
    for finance_id, execution in zip(finance.index, finance["execution"].to_numpy()):
        entry = tables.finance_entries[finance_id]
        finance_results.append(FinanceResult(entry.output, entry.budget, entry.expenditure, _number(execution),
                                             entry.source))

    output_counts = frames.status_counts(kpis, ["output"])
    sectors, objectives, goals = _roll_ups(plan, data, tables.objectives, tables.goals, tables.sectors,
                                           output_counts, kpi_results, tuple(finance_results))
    year_counts = frames.status_counts(kpis, ["year"]).reindex([year], fill_value=0)
    budget = sum(s.budget for s in sectors)
    spent = sum(s.expenditure for s in sectors)
    return YearResults(kpi_results, tuple(finance_results), sectors, objectives, goals,
                       _counts(year_counts.loc[year]), budget, spent, spent / budget if budget else None)


def _history(tables: Tables, kpis: pd.DataFrame, year: int) -> dict[int, tuple[HistoryPoint, ...]]:
    """Per KPI id of `kpis` (one year's rows), the same KPI (bureau, output, folded name) in the
    years read before `year`, oldest first: a pivot of the earlier rows by year."""
    import pandas as pd

    from reportgen.pipeline.frames import SERIES_KEY, kpi_series

    every = tables.kpis
    before = every[every["year"] < year]
    earlier_years = sorted(set(before["year"].tolist()))
    if not earlier_years or kpis.empty:
        return {}
    ids = kpi_series(before.assign(kpi_id=before.index), earlier_years, "kpi_id")
    found = ids.reindex(pd.MultiIndex.from_frame(kpis[SERIES_KEY])).to_numpy(dtype="float64")
    # The frame's columns once, looked up by KPI id (its row number) below.
    years, statuses = every["year"].tolist(), every["status"].tolist()
    achieved = every["achievement"].to_numpy()
    history = {}
    for kpi_id, row in zip(kpis.index, found):
        earlier = [int(i) for i in row if not math.isnan(i)]
        if earlier:
            history[kpi_id] = tuple(
                HistoryPoint(years[i], tables.kpi_entries[i].target, tables.kpi_entries[i].actual,
                             Status(statuses[i]), _number(achieved[i]))
                for i in earlier)
    return history


def _roll_ups(plan: Plan, current: YearData, objective_frame: pd.DataFrame, goal_frame: pd.DataFrame,
              sector_frame: pd.DataFrame, output_counts: pd.DataFrame, kpis: tuple[KPIResult, ...],
              finance: tuple[FinanceResult, ...]) -> tuple[tuple[SectorResult, ...], tuple[ObjectiveResult, ...],
                                                           tuple[GoalResult, ...]]:
    """The records of the roll-ups of `current`'s year, from the frames' rows (`frames.join`'s
    objectives, goals and sectors; status counts per output)."""
    year = current.year
    objective_rows = objective_frame[objective_frame["year"] == year].set_index("objective")
    objectives = {
        objective.code: ObjectiveResult(objective, _counts(row), float(row["budget"]), float(row["expenditure"]),
                                        _number(row["execution"]))
        for objective, (_, row) in zip(plan.objectives, objective_rows.loc[[o.code for o in plan.objectives]].iterrows())
    }
    goal_rows = goal_frame[goal_frame["year"] == year].set_index("goal")
    goals = tuple(GoalResult(goal, tuple(row["objectives"]), _counts(row))
                  for goal, (_, row) in zip(plan.goals, goal_rows.loc[[g.code for g in plan.goals]].iterrows()))

    kpis_by_output: dict[str, list[KPIResult]] = defaultdict(list)
    for k in kpis:
        kpis_by_output[k.entry.output].append(k)
    finance_by_output = {f.output: f for f in finance}
    highlights_by_code: dict[str | None, list] = defaultdict(list)
    for h in current.highlights:
        highlights_by_code[h.refers_to].append(h)
    output_rows = output_counts.reindex([o.code for o in plan.outputs], fill_value=0)
    sector_rows = sector_frame[sector_frame["year"] == year].set_index("sector")
    returned = {r.bureau for r in current.returns}
    sectors = []
    for sector in plan.sectors:
        row = sector_rows.loc[sector.code]
        sectors.append(SectorResult(
            sector=sector,
            returned=sector.bureau in returned,
            objectives=tuple(objectives[o.code] for o in sector.objectives),
            outputs=tuple(OutputResult(output=o, kpis=tuple(kpis_by_output[o.code]),
                                       finance=finance_by_output.get(o.code),
                                       status_counts=_counts(output_rows.loc[o.code]),
                                       highlights=tuple(highlights_by_code[o.code]))
                          for o in sector.outputs),
            status_counts=_counts(row),
            budget=float(row["budget"]),
            expenditure=float(row["expenditure"]),
            execution=_number(row["execution"]),
            # The sector's own highlights: its bureau's, on no output of the sector.
            highlights=tuple(h for h in current.highlights if h.bureau == sector.bureau
                             and (h.refers_to is None or not h.refers_to.startswith(f"{sector.code}-"))),
        ))
    return tuple(sectors), tuple(objectives.values()), goals


# -- the same on records: for callers holding records rather than returns (tests, charts) -------------

def achievement(entry_target: float, actual: float | None, baseline: float | None,
                direction: str) -> float | None:
    """Contract section 3 for one KPI: `frames.achievement` on a row of one."""
    import pandas as pd

    from reportgen.pipeline import frames

    row = pd.DataFrame({"target": [entry_target], "actual": [actual], "baseline": [baseline],
                        "direction": [direction]}).astype({"target": "float64", "actual": "float64",
                                                           "baseline": "float64"})
    return _number(frames.achievement(row).iloc[0])


def status(value: float | None, thresholds: Thresholds) -> Status:
    """One achievement's status: `frames.status` on a value of one."""
    import pandas as pd

    from reportgen.pipeline import frames

    return Status(frames.status(pd.Series([value], dtype="float64"), thresholds).iloc[0])


def count_statuses(kpis: Iterable[KPIResult]) -> StatusCounts:
    """How many of `kpis` have each status (`frames.status_counts`)."""
    import pandas as pd

    from reportgen.pipeline import frames

    statuses = pd.DataFrame({"all": 0, "status": [str(k.status) for k in kpis]}, dtype=object)
    counts = frames.status_counts(statuses, ["all"]).reindex([0], fill_value=0)
    return _counts(counts.loc[0])


def assess_kpis(plan: Plan, current: YearData, earlier: list[YearData],
                thresholds: Thresholds) -> tuple[KPIResult, ...]:
    """`current`'s KPI results, with `earlier` years as their history."""
    years = [y for y in earlier if y.year < current.year]
    return analyse(plan, [*years, current], thresholds).year(current).kpis


def assess_finance(plan: Plan, entries: Iterable[FinanceEntry]) -> tuple[FinanceResult, ...]:
    """Each output's money and execution rate, in the plan's order."""
    data = YearData(0, (), (), tuple(entries), (), (), ())
    return analyse(plan, [data], Thresholds()).year(data).finance


def roll_up(plan: Plan, current: YearData, kpis: tuple[KPIResult, ...],
            finance: tuple[FinanceResult, ...]) -> tuple[tuple[SectorResult, ...],
                                                         tuple[ObjectiveResult, ...],
                                                         tuple[GoalResult, ...]]:
    """Outputs into objectives into sectors; objectives into goals: the records given (each
    KPI under the objectives and goals its record names) as frames, rolled up by the same
    functions as `frames.join`."""
    import pandas as pd

    from reportgen.pipeline import frames

    plan_frames = frames.plan_frames(plan)
    year = current.year
    kpi_frame = pd.DataFrame({"year": year, "output": [k.entry.output for k in kpis],
                              "sector": [k.entry.sector for k in kpis],
                              "status": [str(k.status) for k in kpis]},
                             columns=["year", "output", "sector", "status"]).rename_axis("kpi_id")
    links = pd.DataFrame([(i, o) for i, k in enumerate(kpis) for o in k.objectives],
                         columns=["kpi_id", "objective"]).set_index("kpi_id")
    goal_links = pd.DataFrame([(i, g) for i, k in enumerate(kpis) for g in k.goals],
                              columns=["kpi_id", "goal"]).set_index("kpi_id")
    sector_of = plan_frames.outputs.set_index("code")["sector"]
    money = pd.DataFrame({"year": year, "output": [f.output for f in finance],
                          "budget": [f.budget for f in finance], "expenditure": [f.expenditure for f in finance]},
                         columns=["year", "output", "budget", "expenditure"]).astype(
        {"budget": "float64", "expenditure": "float64"})
    money["sector"] = money["output"].map(sector_of)
    years = [year]
    return _roll_ups(
        plan, current,
        frames.objective_roll_up(plan_frames, years, links.join(kpi_frame[["year", "status"]]), money),
        frames.goal_roll_up(plan_frames, years, kpi_frame, goal_links),
        frames.sector_roll_up(plan_frames, years, kpi_frame, money),
        frames.status_counts(kpi_frame, ["output"]), kpis, finance)

