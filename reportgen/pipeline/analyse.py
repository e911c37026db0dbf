"""From validated entries to results: achievement and status of each KPI, execution of each
output's budget, and roll-ups to objectives (budget split equally between an output's
objectives) and goals (Table 8.1), with earlier years as history."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable

from reportgen.format import Status
from reportgen.model import (STATUSES, FinanceEntry, FinanceResult, GoalResult, HistoryPoint, KPIEntry,
                    KPIResult, ObjectiveResult, OutputResult, SectorResult, StatusCounts, YearData)
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds
from reportgen.util.text import fold


def achievement(entry_target: float, actual: float | None, baseline: float | None,
                direction: str) -> float | None:
    """Contract section 3: how far the actual went towards the target (1 = met)."""
    if actual is None:
        return None
    if direction == "lower":
        numerator, denominator = ((baseline - actual, baseline - entry_target) if baseline is not None
                                  else (entry_target, actual))
        meets = actual <= entry_target
    else:
        numerator, denominator = ((actual - baseline, entry_target - baseline) if baseline is not None
                                  else (actual, entry_target))
        meets = actual >= entry_target
    if denominator == 0:
        return 1.0 if meets else 0.0
    value = numerator / denominator
    return value if math.isfinite(value) else (1.0 if meets else 0.0)


def status(value: float | None, thresholds: Thresholds) -> Status:
    if value is None:
        return Status.NOT_REPORTED
    if value >= thresholds.achieved:
        return Status.ACHIEVED
    if value >= thresholds.partially_achieved:
        return Status.PARTIALLY_ACHIEVED
    return Status.NOT_ACHIEVED


def count_statuses(kpis: Iterable[KPIResult]) -> StatusCounts:
    counts = Counter(k.status for k in kpis)
    return {s: counts.get(s, 0) for s in STATUSES}


def kpi_key(entry: KPIEntry) -> tuple[str, str, str]:
    """What makes a KPI the same one across years: bureau, output and name (case-folded)."""
    return (entry.bureau, entry.output, fold(entry.kpi))


def assess_kpis(plan: Plan, current: YearData, earlier: list[YearData],
                thresholds: Thresholds) -> tuple[KPIResult, ...]:
    history: dict[tuple[str, str, str], list[HistoryPoint]] = defaultdict(list)
    for year_data in sorted(earlier, key=lambda y: y.year):
        for entry in year_data.kpis:
            value = achievement(entry.target, entry.actual, entry.baseline, entry.direction)
            history[kpi_key(entry)].append(
                HistoryPoint(year_data.year, entry.target, entry.actual, status(value, thresholds), value))
    results = []
    for entry in sorted(current.kpis, key=_kpi_order(plan)):
        value = achievement(entry.target, entry.actual, entry.baseline, entry.direction)
        objectives = measured_objectives(plan, entry)
        results.append(KPIResult(
            entry=entry,
            achievement=value,
            status=status(value, thresholds),
            objectives=objectives,
            goals=tuple(g.code for g in plan.goals
                        if any(g.code in plan.objective(code).goals for code in objectives)),
            history=tuple(history.get(kpi_key(entry), ())),
        ))
    return tuple(results)


def measured_objectives(plan: Plan, entry: KPIEntry) -> tuple[str, ...]:
    """Contract 8.1: the objectives a KPI counts under: those its `Objective` cell names, else
    every objective its output serves."""
    return entry.objectives or plan.output(entry.output).objectives


def _kpi_order(plan: Plan):
    position = {o.code: i for i, o in enumerate(plan.outputs)}
    return lambda e: (position[e.output], e.source.file, e.source.row or 0)


def assess_finance(plan: Plan, entries: Iterable[FinanceEntry]) -> tuple[FinanceResult, ...]:
    position = {o.code: i for i, o in enumerate(plan.outputs)}
    results = []
    for entry in sorted(entries, key=lambda e: position[e.output]):
        execution = (entry.expenditure / entry.budget
                     if entry.budget and entry.expenditure is not None else None)
        if execution is not None and not math.isfinite(execution):
            execution = None  # a budget so small that the rate overflows: shown as unknown
        results.append(FinanceResult(entry.output, entry.budget, entry.expenditure, execution, entry.source))
    return tuple(results)


def _rate(spent: float, budget: float) -> float | None:
    return spent / budget if budget else None


def roll_up(plan: Plan, current: YearData, kpis: tuple[KPIResult, ...],
            finance: tuple[FinanceResult, ...]) -> tuple[tuple[SectorResult, ...],
                                                         tuple[ObjectiveResult, ...],
                                                         tuple[GoalResult, ...]]:
    """Outputs into objectives into sectors; objectives into goals."""
    kpis_by_output: dict[str, list[KPIResult]] = defaultdict(list)
    for k in kpis:
        kpis_by_output[k.entry.output].append(k)
    finance_by_output = {f.output: f for f in finance}
    highlights_by_code: dict[str | None, list] = defaultdict(list)
    for h in current.highlights:
        highlights_by_code[h.refers_to].append(h)

    objective_results: dict[str, ObjectiveResult] = {}
    for objective in plan.objectives:
        outputs = plan.outputs_of_objective(objective.code)
        budget = spent = 0.0
        for output in outputs:
            money = finance_by_output.get(output.code)
            share = len(output.objectives)
            # An output serving several objectives is split equally (contract section 4).
            budget += (money.budget or 0.0) / share if money else 0.0
            spent += (money.expenditure or 0.0) / share if money else 0.0
        # A KPI counts under the objectives it measures (contract 8.1), not every one its output serves.
        objective_kpis = [k for o in outputs for k in kpis_by_output[o.code] if objective.code in k.objectives]
        objective_results[objective.code] = ObjectiveResult(
            objective, count_statuses(objective_kpis), budget, spent, _rate(spent, budget))

    returned = {r.bureau for r in current.returns}
    sectors = []
    for sector in plan.sectors:
        outputs = tuple(
            OutputResult(
                output=o,
                kpis=tuple(kpis_by_output[o.code]),
                finance=finance_by_output.get(o.code),
                status_counts=count_statuses(kpis_by_output[o.code]),
                highlights=tuple(highlights_by_code[o.code]),
            )
            for o in sector.outputs
        )
        budget = sum((f.budget or 0.0) for o in outputs if (f := o.finance))
        spent = sum((f.expenditure or 0.0) for o in outputs if (f := o.finance))
        sector_highlights = [h for h in current.highlights if h.bureau == sector.bureau
                             and (h.refers_to is None or not h.refers_to.startswith(f"{sector.code}-"))]
        sectors.append(SectorResult(
            sector=sector,
            returned=sector.bureau in returned,
            objectives=tuple(objective_results[o.code] for o in sector.objectives),
            outputs=outputs,
            status_counts=count_statuses(k for o in outputs for k in o.kpis),
            budget=budget,
            expenditure=spent,
            execution=_rate(spent, budget),
            highlights=tuple(sector_highlights),
        ))

    goals = []
    for goal in plan.goals:
        objectives = plan.objectives_of_goal(goal.code)
        # Each KPI counts once for a goal, however many of its objectives serve that goal.
        goal_kpis = [k for k in kpis if goal.code in k.goals]
        goals.append(GoalResult(goal, tuple(o.code for o in objectives), count_statuses(goal_kpis)))
    return tuple(sectors), tuple(objective_results.values()), tuple(goals)
