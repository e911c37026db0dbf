"""The checked returns and the plan as pandas DataFrames: the analytical core of the
plan-period assessment and of the analysts' API (`reportgen.tables`).

Every row of a return keeps where it stands (`file`, `sheet`, Excel's 1-based `row`), so a
figure computed here can always be traced back to a cell. The plan's tables become frames too:
outputs (Tables 4.1-7.1), the output → objective links, objectives, the objective → goal links
(Table 8.1) and goals. Joins, roll-ups and multi-year series are merges, groupbys and pivots.

A KPI counts under the objectives it measures (contract 8.1): the optional `Objective` column
of the KPIs sheet, carried as `objectives` on the KPI entry; empty means every objective of its
output. Each KPI counts once per goal, however many of its objectives serve that goal.

The annual build (pipeline/analyse.py) and the plan-period assessment (pipeline/assess.py) both
read `join`'s frames; the annual build turns the rows back into its frozen records, which is why
`Tables` keeps the checked record each row came from.

pandas is imported lazily, here and by the column checks of the KPIs sheets (pipeline/kpisheet.py):
importing reportgen, starting the command line and reading workbooks never load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from reportgen import format
from reportgen.bureau.xlsxscan import Limits
from reportgen.model import STATUSES, FinanceEntry, KPIEntry, YearData
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds
from reportgen.util.text import fold

SOURCE_COLUMNS = ["file", "sheet", "row"]
KPI_COLUMNS = ["year", "bureau", "sector", "output", "kpi", "key", "unit", "baseline", "target", "actual",
               "direction", "comment", "language", "measures", *SOURCE_COLUMNS]
FINANCE_COLUMNS = ["year", "bureau", "output", "budget", "expenditure", *SOURCE_COLUMNS]
PROBLEM_COLUMNS = ["year", "severity", "file", "sheet", "row", "column", "message", "cell", "bureau"]
PROPOSAL_COLUMNS = ["year", "bureau", "source", "refers_to", "text", *SOURCE_COLUMNS]
HIGHLIGHT_COLUMNS = ["year", "bureau", "refers_to", "text", *SOURCE_COLUMNS]
RETURN_COLUMNS = ["year", "file", "bureau", "prepared_by", "date", "data_status", "language"]
STATUS_COLUMNS = list(STATUSES)


# -- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanFrames:
    """The plan's tables. `outputs` is in the plan's printed order (`position`)."""

    goals: pd.DataFrame  # code, title, text
    objectives: pd.DataFrame  # code, sector, number, title, text
    outputs: pd.DataFrame  # code, sector, bureau, name, high_priority, position, n_objectives
    output_objectives: pd.DataFrame  # output, objective (Tables 4.1-7.1)
    objective_goals: pd.DataFrame  # objective, goal (Table 8.1)
    sectors: pd.DataFrame  # code, name, bureau, bureau_name


def plan_frames(plan: Plan) -> PlanFrames:
    """The plan's goals, objectives, outputs and the links between them, as frames."""
    bureau_of = {s.code: s.bureau for s in plan.sectors}
    outputs = pd.DataFrame(
        [(o.code, o.sector, bureau_of[o.sector], o.name, o.high_priority, i, len(o.objectives))
         for i, o in enumerate(plan.outputs)],
        columns=["code", "sector", "bureau", "name", "high_priority", "position", "n_objectives"])
    return PlanFrames(
        goals=pd.DataFrame([(g.code, g.title, g.text) for g in plan.goals], columns=["code", "title", "text"]),
        objectives=pd.DataFrame([(o.code, o.sector, o.number, o.title, o.text) for o in plan.objectives],
                                columns=["code", "sector", "number", "title", "text"]),
        outputs=outputs,
        output_objectives=pd.DataFrame([(o.code, obj) for o in plan.outputs for obj in o.objectives],
                                       columns=["output", "objective"]),
        objective_goals=pd.DataFrame([(o.code, g) for o in plan.objectives for g in o.goals],
                                     columns=["objective", "goal"]),
        sectors=pd.DataFrame([(s.code, s.name, s.bureau, s.bureau_name) for s in plan.sectors],
                             columns=["code", "name", "bureau", "bureau_name"]),
    )


# -- the returns ---------------------------------------------------------------------------------

def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns})


def kpi_frame(years: Iterable[YearData]) -> pd.DataFrame:
    """One row per valid KPIs row of every year. `key` is the name case- and space-folded (what
    makes a KPI the same one from year to year, with bureau and output); `measures` is the
    tuple of objective codes of the row's `Objective` column (empty: all of its output's)."""
    rows = [(y.year, k.bureau, k.sector, k.output, k.kpi, fold(k.kpi), k.unit, k.baseline, k.target, k.actual,
             k.direction, k.comment, k.language, tuple(k.objectives),
             k.source.file, k.source.sheet, k.source.row)
            for y in years for k in y.kpis]
    frame = _frame(rows, KPI_COLUMNS)
    for column in ("baseline", "target", "actual"):
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["year"] = frame["year"].astype("int64")
    frame["row"] = frame["row"].astype("Int64")
    return frame


def finance_frame(years: Iterable[YearData]) -> pd.DataFrame:
    rows = [(y.year, f.bureau, f.output, f.budget, f.expenditure, f.source.file, f.source.sheet, f.source.row)
            for y in years for f in y.finance]
    frame = _frame(rows, FINANCE_COLUMNS)
    for column in ("budget", "expenditure"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["year"] = frame["year"].astype("int64")
    frame["row"] = frame["row"].astype("Int64")
    return frame


def problem_frame(years: Iterable[YearData]) -> pd.DataFrame:
    rows = [(y.year, p.severity, p.file, p.sheet, p.row, p.column, p.message, p.cell, p.bureau)
            for y in years for p in y.problems]
    frame = _frame(rows, PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def proposal_frame(years: Iterable[YearData]) -> pd.DataFrame:
    rows = [(y.year, p.bureau, p.body, p.refers_to, p.text, p.source.file, p.source.sheet, p.source.row)
            for y in years for p in y.proposals]
    return _frame(rows, PROPOSAL_COLUMNS)


def highlight_frame(years: Iterable[YearData]) -> pd.DataFrame:
    rows = [(y.year, h.bureau, h.refers_to, h.text, h.source.file, h.source.sheet, h.source.row)
            for y in years for h in y.highlights]
    return _frame(rows, HIGHLIGHT_COLUMNS)


def return_frame(years: Iterable[YearData]) -> pd.DataFrame:
    rows = [(y.year, r.file, r.bureau, r.prepared_by, r.date, r.data_status, r.language)
            for y in years for r in y.returns]
    return _frame(rows, RETURN_COLUMNS)


# -- achievement and status (contract section 3), whole columns at once ---------------------------

def achievement(kpis: pd.DataFrame) -> pd.Series:
    """How far each actual went towards its target (1 = met), as `analyse.achievement` says it
    for one row: (actual − baseline)/(target − baseline) or actual/target where higher is
    better, (baseline − actual)/(baseline − target) or target/actual where lower is; where the
    denominator is 0 (or the ratio not finite), 1 if the target is met, else 0. NaN: no actual."""
    actual = kpis["actual"].to_numpy(dtype="float64")
    target = kpis["target"].to_numpy(dtype="float64")
    baseline = kpis["baseline"].to_numpy(dtype="float64")
    lower = (kpis["direction"] == "lower").to_numpy()
    based = ~np.isnan(baseline)
    numerator = np.where(lower, np.where(based, baseline - actual, target),
                         np.where(based, actual - baseline, actual))
    denominator = np.where(lower, np.where(based, baseline - target, actual),
                           np.where(based, target - baseline, target))
    meets = np.where(lower, actual <= target, actual >= target)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = numerator / denominator
    value = np.where((denominator == 0) | ~np.isfinite(ratio), np.where(meets, 1.0, 0.0), ratio)
    value = np.where(np.isnan(actual), np.nan, value)
    return pd.Series(value, index=kpis.index, name="achievement")


def status(achieved_share: pd.Series, thresholds: Thresholds) -> pd.Series:
    """Each achievement's status: achieved, partially achieved, not achieved, not reported."""
    value = achieved_share.to_numpy(dtype="float64")
    labels = np.select([np.isnan(value), value >= thresholds.achieved, value >= thresholds.partially_achieved],
                       ["not reported", "achieved", "partially achieved"], "not achieved")
    return pd.Series(labels, index=achieved_share.index, name="status", dtype=object)


# -- joins -------------------------------------------------------------------------------------------

def kpi_objectives(kpis: pd.DataFrame, plan: PlanFrames) -> pd.DataFrame:
    """KPIs ⨝ the objectives they measure: one row per (KPI row, objective), indexed like
    `kpis` (its index is the KPI's id). A KPI with an `Objective` column counts under those
    objectives only; one without, under every objective of its output (Tables 4.1-7.1)."""
    measures = kpis["measures"]
    explicit = measures.map(len) > 0
    named = (kpis.loc[explicit, ["measures"]].explode("measures")
             .rename(columns={"measures": "objective"}).rename_axis("kpi_id"))
    # The order a KPI lists its objectives in: as its Objective cell names them, else the plan's.
    named["order"] = named.groupby(level=0).cumcount()
    implicit = (kpis.loc[~explicit, ["output"]].reset_index(names="kpi_id")
                .merge(plan.output_objectives, on="output", how="inner")
                .set_index("kpi_id")[["objective"]])
    implicit["order"] = implicit.groupby(level=0).cumcount()
    links = pd.concat([named, implicit])
    return links.sort_values("order", kind="stable").sort_index(kind="stable")


def kpi_goals(links: pd.DataFrame, plan: PlanFrames) -> pd.DataFrame:
    """(KPI id, goal) pairs: the goals of the objectives a KPI measures, each goal once."""
    goals = (links.reset_index().merge(plan.objective_goals, on="objective", how="inner")
             [["kpi_id", "goal"]].drop_duplicates())
    return goals.set_index("kpi_id").sort_index(kind="stable")


def _codes_in_plan_order(pairs: pd.DataFrame, column: str, order: list[str]) -> pd.Series:
    """Per KPI id, the tuple of codes in `column`, in the plan's order."""
    if pairs.empty:
        return pd.Series(dtype=object)
    rank = {code: i for i, code in enumerate(order)}
    ranked = pairs.assign(_rank=pairs[column].map(rank)).sort_values("_rank", kind="stable")
    return ranked.groupby(level=0)[column].agg(tuple)


def _tuples(values: pd.Series, index: pd.Index) -> pd.Series:
    """`values` on `index`, an empty tuple where it has none."""
    return values.reindex(index).map(lambda v: v if isinstance(v, tuple) else ())


def status_counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """How many rows of each status per group: one column per status, in the report's order."""
    counts = frame.groupby([*by, "status"], sort=False).size().unstack("status", fill_value=0)
    return counts.reindex(columns=STATUS_COLUMNS, fill_value=0).astype("int64")


# -- the joined tables ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tables:
    """The returns of some years joined with the plan (what `reportgen.tables` returns).

    - `kpis`: one row per KPI per year with `achievement`, `status`, the output's `output_name`,
      the `objectives` it counts under and their `goals` (tuples of codes), and its source;
    - `kpi_objectives`: one row per KPI and objective it measures (KPIs ⨝ objectives), with the
      objective's title and sector; its index is the KPI's row in `kpis`;
    - `finance`: one row per output per year: budget, expenditure, `execution`, the output's name
      and sector, and its source;
    - `objectives`: per objective and year: its texts and goals, the status counts of the KPIs
      measuring it, and its share of the money (an output's budget split equally between the
      objectives it serves);
    - `goals`: per goal and year: its texts, its objectives, the status counts (each KPI once);
    - `sectors`: per sector and year: status counts and money;
    - `problems`, `proposals`, `highlights`, `returns`: as read, with their year;
    - `plan`: the plan's own tables (`PlanFrames`).
    """

    years: tuple[int, ...]  # the years read (one may have no readable return: see `returns`)
    kpis: pd.DataFrame
    kpi_objectives: pd.DataFrame
    finance: pd.DataFrame
    objectives: pd.DataFrame
    goals: pd.DataFrame
    sectors: pd.DataFrame
    problems: pd.DataFrame
    proposals: pd.DataFrame
    highlights: pd.DataFrame
    returns: pd.DataFrame
    plan: PlanFrames
    # The checked record each row of `kpis` and of `finance` came from (by position: row i of
    # the frame is record i): how the annual build gets back to the records it hands on.
    kpi_entries: tuple[KPIEntry, ...] = field(default=(), repr=False)
    finance_entries: tuple[FinanceEntry, ...] = field(default=(), repr=False)


def join(plan: Plan, years: list[YearData], thresholds: Thresholds = Thresholds()) -> Tables:
    """Every year's checked returns as frames, joined with the plan and rolled up per year."""
    frames = plan_frames(plan)
    year_list = sorted(y.year for y in years)
    kpis = kpi_frame(years)
    kpis["achievement"] = achievement(kpis)
    kpis["status"] = status(kpis["achievement"], thresholds)
    outputs = frames.outputs.set_index("code")
    kpis["output_name"] = kpis["output"].map(outputs["name"])
    kpis["position"] = kpis["output"].map(outputs["position"]).astype("int64")
    # The plan's order, then where the row stands (a row without a number first): the annual
    # report's order.
    kpis["place"] = kpis["row"].fillna(0)
    kpis = kpis.sort_values(["year", "position", "file", "place"], kind="stable")
    read_kpis = [k for y in years for k in y.kpis]
    kpi_entries = tuple(read_kpis[i] for i in kpis.index)
    kpis = kpis.drop(columns="place").reset_index(drop=True)
    kpis.index.name = "kpi_id"

    links = kpi_objectives(kpis, frames)
    goal_links = kpi_goals(links, frames)
    goal_order = frames.goals["code"].tolist()
    kpis["objectives"] = _tuples(links.groupby(level=0)["objective"].agg(tuple), kpis.index)
    kpis["goals"] = _tuples(_codes_in_plan_order(goal_links, "goal", goal_order), kpis.index)
    objective_info = frames.objectives.rename(columns={"code": "objective", "title": "objective_title",
                                                       "sector": "objective_sector"})
    kpi_objective = (links.drop(columns="order").join(kpis[["year", "bureau", "output", "kpi", "status", "achievement"]])
                     .reset_index().merge(objective_info[["objective", "objective_sector", "objective_title"]],
                                          on="objective", how="left").set_index("kpi_id"))

    finance = finance_frame(years)
    execution = finance["expenditure"] / finance["budget"]
    usable = finance["budget"].fillna(0).ne(0) & finance["expenditure"].notna() & np.isfinite(execution)
    finance["execution"] = execution.where(usable)
    finance["output_name"] = finance["output"].map(outputs["name"])
    finance["sector"] = finance["output"].map(outputs["sector"])
    finance["position"] = finance["output"].map(outputs["position"]).astype("int64")
    finance = finance.sort_values(["year", "position"], kind="stable")
    read_finance = [f for y in years for f in y.finance]
    finance_entries = tuple(read_finance[i] for i in finance.index)
    finance = finance.reset_index(drop=True)

    return Tables(
        years=tuple(year_list),
        kpis=kpis.drop(columns=["position"]),
        kpi_objectives=kpi_objective,
        finance=finance.drop(columns=["position"]),
        objectives=objective_roll_up(frames, year_list, kpi_objective, finance),
        goals=goal_roll_up(frames, year_list, kpis, goal_links),
        sectors=sector_roll_up(frames, year_list, kpis, finance),
        problems=problem_frame(years),
        proposals=proposal_frame(years),
        highlights=highlight_frame(years),
        returns=return_frame(years),
        plan=frames,
        kpi_entries=kpi_entries,
        finance_entries=finance_entries,
    )


def _every(years: list[int], codes: pd.Series, name: str) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([years, codes.tolist()], names=["year", name])


def _rate(spent: pd.Series, budget: pd.Series) -> pd.Series:
    return (spent / budget).where(budget != 0)


def objective_money(frames: PlanFrames, finance: pd.DataFrame) -> pd.DataFrame:
    """Budget and expenditure per (year, objective): each output's money split equally between
    the objectives it serves (contract section 4), so that objectives add up to the sector."""
    shared = finance[["year", "output", "budget", "expenditure"]].merge(
        frames.output_objectives, on="output").merge(
        frames.outputs[["code", "n_objectives"]], left_on="output", right_on="code")
    shared["budget"] = shared["budget"].fillna(0.0) / shared["n_objectives"]
    shared["expenditure"] = shared["expenditure"].fillna(0.0) / shared["n_objectives"]
    return shared.groupby(["year", "objective"])[["budget", "expenditure"]].sum()


def objective_roll_up(frames: PlanFrames, years: list[int], kpi_objective: pd.DataFrame,
                      finance: pd.DataFrame) -> pd.DataFrame:
    """Per (year, objective), every objective of the plan each year: the status counts of the KPIs
    measuring it (`kpi_objective`: one row per KPI and objective, with `year` and `status`) and
    its share of the money (`objective_money`)."""
    index = _every(years, frames.objectives["code"], "objective")
    counts = status_counts(kpi_objective, ["year", "objective"]).reindex(index, fill_value=0)
    money = objective_money(frames, finance).reindex(index, fill_value=0.0)
    table = counts.join(money).reset_index()
    table["execution"] = _rate(table["expenditure"], table["budget"])
    goals = frames.objective_goals.groupby("objective", sort=False)["goal"].agg(tuple)
    info = frames.objectives.rename(columns={"code": "objective"})
    info["goals"] = info["objective"].map(goals)
    return table.merge(info, on="objective", how="left")[
        ["year", "objective", "sector", "number", "title", "text", "goals", *STATUS_COLUMNS,
         "budget", "expenditure", "execution"]]


def goal_roll_up(frames: PlanFrames, years: list[int], kpis: pd.DataFrame, goal_links: pd.DataFrame) -> pd.DataFrame:
    """Per (year, goal): the status counts of the KPIs serving it (`goal_links`: KPI id → goal),
    each KPI once."""
    index = _every(years, frames.goals["code"], "goal")
    per_goal = goal_links.join(kpis[["year", "status"]])
    counts = status_counts(per_goal, ["year", "goal"]).reindex(index, fill_value=0).reset_index()
    objectives = frames.objective_goals.groupby("goal", sort=False)["objective"].agg(tuple)
    info = frames.goals.rename(columns={"code": "goal"})
    info["objectives"] = _tuples(objectives, pd.Index(info["goal"])).to_numpy()
    return counts.merge(info, on="goal", how="left")[
        ["year", "goal", "title", "text", "objectives", *STATUS_COLUMNS]]


def sector_roll_up(frames: PlanFrames, years: list[int], kpis: pd.DataFrame, finance: pd.DataFrame) -> pd.DataFrame:
    """Per (year, sector): the status counts of its KPIs and its outputs' money."""
    index = _every(years, frames.sectors["code"], "sector")
    counts = status_counts(kpis, ["year", "sector"]).reindex(index, fill_value=0)
    money = (finance.assign(budget=finance["budget"].fillna(0.0), expenditure=finance["expenditure"].fillna(0.0))
             .groupby(["year", "sector"])[["budget", "expenditure"]].sum().reindex(index, fill_value=0.0))
    table = counts.join(money).reset_index()
    table["execution"] = _rate(table["expenditure"], table["budget"])
    info = frames.sectors.rename(columns={"code": "sector"})
    return table.merge(info, on="sector", how="left")


# -- the multi-year series -------------------------------------------------------------------------

SERIES_KEY = ["bureau", "output", "key"]


def kpi_series(kpis: pd.DataFrame, years: list[int], column: str) -> pd.DataFrame:
    """One row per KPI (bureau, output, folded name), one column per year: `column`'s value
    (e.g. "actual", "status"); a year whose return did not list the KPI is missing (NaN)."""
    if kpis.empty:
        return pd.DataFrame(columns=years)
    pivot = kpis.drop_duplicates([*SERIES_KEY, "year"]).pivot(index=SERIES_KEY, columns="year", values=column)
    return pivot.reindex(columns=years)


# -- the data workbook's sheets -----------------------------------------------------------------------

def data_sheets(tables: Tables, year: int) -> dict[str, pd.DataFrame]:
    """One year's KPIs, Finance, Objectives, Goals and Problems sheets of `data-<YEAR>.xlsx`:
    the annual build writes the first four from here (reportgen/render/dataworkbook.py).
    Problems are the returns' own; the annual report's also hold those of its secretariat.yaml
    and of its advice, so its workbook takes them from the report."""
    def codes(values: pd.Series) -> pd.Series:
        return values.map(", ".join)

    kpis = tables.kpis[tables.kpis["year"] == year]
    finance = tables.finance[tables.finance["year"] == year]
    objectives = tables.objectives[tables.objectives["year"] == year]
    goals = tables.goals[tables.goals["year"] == year]
    problems = tables.problems[tables.problems["year"] == year]
    # The return's columns as the workbook format states them, then what is computed.
    computed = ("achievement", "status", "objectives", "goals")
    kpi_columns = ["bureau", "sector", *(f for f in format.KPIS.fields if f not in computed), *computed]
    finance_columns = [*(f for f in format.FINANCE.fields if f != "execution"), "execution"]
    kpi_sheet = kpis.assign(objectives=codes(kpis["objectives"]), goals=codes(kpis["goals"]))
    return {
        # reindex: a column format.py adds before the records carry it stands empty.
        "KPIs": kpi_sheet.reindex(columns=[*kpi_columns, "file", "sheet", "row"]),
        "Finance": finance.reindex(columns=[*finance_columns, "file", "sheet", "row"]),
        "Objectives": objectives.rename(columns={"objective": "code"})[
            ["code", "sector", *STATUS_COLUMNS, "budget", "expenditure", "execution"]],
        "Goals": goals.rename(columns={"goal": "code"}).assign(objectives=codes(goals["objectives"]))[
            ["code", "objectives", *STATUS_COLUMNS]],
        "Problems": problems[["severity", "file", "sheet", "row", "column", "message"]],
    }


# -- reading: the analysts' entry point ---------------------------------------------------------------

def year_folders(inputs: Path) -> list[int]:
    """The years that have a folder (four digits) under `inputs`, in order."""
    return sorted(int(p.name) for p in inputs.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


def load_tables(inputs: Path | str = "inputs", years: Iterable[int] | str | None = None,
                plan_file: Path | str | None = None, thresholds: Thresholds = Thresholds(),
                limits: Limits | None = None) -> Tables:
    """Read and check the returns of `years` under `inputs` and join them with the plan.

    `years`: a list of years (each must have a folder), a period such as "2008-2011" (the
    years of it that have a folder), or None (every year folder). Raises InputError (a
    ReportgenError) when a folder is missing or no year has a readable return."""
    from reportgen.errors import InputError
    from reportgen.pipeline.build import read_year
    from reportgen.plan.loader import load_plan

    inputs = Path(inputs)
    if not inputs.is_dir():
        raise InputError(f"no inputs folder {inputs}: give the folder that holds the year folders")
    available = year_folders(inputs)
    if years is None:
        wanted = available
    elif isinstance(years, str):
        from reportgen.pipeline.assess import parse_period

        wanted = [y for y in parse_period(years).years if y in available]
    else:
        wanted = sorted({int(y) for y in years})
        missing = [y for y in wanted if y not in available]
        if missing:
            raise InputError(f"no folder for {', '.join(map(str, missing))} under {inputs} "
                             f"(years there: {', '.join(map(str, available)) or 'none'})")
    plan = load_plan(plan_file)
    read: list[YearData] = []
    for year in wanted:
        earlier = read[-1] if read and read[-1].year == year - 1 else None
        data, _ = read_year(year, inputs, plan, limits or Limits(), earlier)
        read.append(data)
    if not any(y.returns for y in read):
        raise InputError(f"no readable return for {', '.join(map(str, wanted)) or 'any year'} under {inputs}")
    return join(plan, read, thresholds)
