"""The report model, computed once per build in no language: analysis, rules and advice.

`report_model` is what `build.assemble` runs. The advice of the year before is computed too, so
that secretariat.yaml's `follow_up` can name last year's recommendations by their ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.format import Status
from reportgen.model import FinancialLine, Headline, Location, ObjectiveStanding, ReportModel, YearData, problem_order
from reportgen.pipeline import analyse
from reportgen.pipeline.advice import advise, funds_of
from reportgen.pipeline.rules import Evidence
from reportgen.pipeline.secretariat import Calendar
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds

if TYPE_CHECKING:
    from reportgen.pipeline.frames import Tables

# Sector chapters follow the summary: the first Sector is chapter 2 (templates/report.html.j2).
FIRST_SECTOR_CHAPTER = 2


def _evidence(analysis: analyse.Analysis, data: YearData, results: analyse.YearResults, thresholds: Thresholds,
              calendar: Calendar) -> Evidence:
    return Evidence(analysis.plan, data.year, results.kpis, results.finance, results.objectives, data.proposals,
                    thresholds, calendar, analysis.reported_outputs(data.year - 1))


def locations(plan: Plan, kpis) -> dict:
    """Where each KPI row and each output's money appear in the Sector chapters' output tables."""
    found = {}
    position: dict[str, int] = {}
    chapter = {s.code: FIRST_SECTOR_CHAPTER + i for i, s in enumerate(plan.sectors)}
    for k in kpis:
        output = k.entry.output
        position[output] = position.get(output, 0) + 1
        table = f"{chapter[k.entry.sector]}.2"
        found[k.entry.source] = Location(table, output, position[output], f"kpi-{output}-{position[output]}")
    return found


def report_model(config, returns, report_date: str | None) -> ReportModel:
    """Everything the report says, before anything is rendered or written."""
    return analysed_model(config, returns, report_date)[0]


def analysed_model(config, returns, report_date: str | None) -> tuple[ReportModel, Tables]:
    """The report model and the frames it was computed from (the data workbook is written
    from them): every year read is joined once; the year before's results (for the follow-up
    of its recommendations and the headline's comparison) come from the same frames."""
    plan, thresholds = config.plan, config.thresholds
    current, earlier = returns.current, list(returns.earlier)
    calendar = config.calendar.with_overrides(returns.secretariat.conferences)
    analysis = analyse.analyse(plan, [*earlier, current], thresholds)
    now = analysis.year(current)
    evidence = _evidence(analysis, current, now, thresholds, calendar)
    previous = None
    before = then = None
    last = earlier[-1] if earlier and earlier[-1].year == current.year - 1 else None
    if last is not None:
        then = analysis.year(last)
        before = _evidence(analysis, last, then, thresholds, calendar)
        previous_advice, _ = advise(before)
        previous = {r.id: frozenset(f.rule for f in r.findings) for r in previous_advice.recommendations}
    financial = financial_situation(current, last)
    advice, advice_problems = advise(evidence, returns.secretariat, previous, funds_of(financial), financial)
    places = locations(plan, evidence.kpis)
    for f in evidence.finance:
        sector = plan.output(f.output).sector
        chapter = FIRST_SECTOR_CHAPTER + [s.code for s in plan.sectors].index(sector)
        places[f.source] = Location(f"{chapter}.2", f.output, None, f"output-{f.output}")
    problems = current.problems + returns.secretariat.problems + advice_problems
    return ReportModel(
        plan=plan,
        year=current.year,
        # "illustrative" alone or with another word ("illustrative, draft"): sample data either way.
        illustrative=any("illustrative" in (r.data_status or "").lower() for r in current.returns),
        report_date=report_date,
        returns=current.returns,
        kpis=evidence.kpis,
        finance=evidence.finance,
        sectors=now.sectors,
        objectives=now.objectives,
        goals=now.goals,
        advice=advice,
        locations=places,
        proposals=current.proposals,
        problems=tuple(sorted(problems, key=problem_order)),
        status_counts=now.status_counts,
        budget=now.budget,
        expenditure=now.expenditure,
        execution=now.execution,
        headline=headline(now, then, last),
        earlier_years=tuple(y.year for y in earlier),
        document=config.document,
        thresholds=thresholds,
    ), analysis.tables


def _standings(results: analyse.YearResults) -> list[ObjectiveStanding]:
    """Objectives with at least two KPIs with a result, by share achieved (the objectives'
    roll-up: each KPI under the objectives it measures)."""
    found = []
    for objective in results.objectives:
        reported = sum(n for s, n in objective.status_counts.items() if s != Status.NOT_REPORTED)
        if reported >= 2:
            found.append(ObjectiveStanding(objective.objective.code, objective.status_counts[Status.ACHIEVED],
                                           reported))
    return found


# How many objectives the summary names as strongest and as weakest.
STANDOUTS = 3


def headline(now: analyse.YearResults, then: analyse.YearResults | None, before: YearData | None) -> Headline:
    standings = _standings(now)
    strongest = sorted(standings, key=lambda s: (-s.share, -s.reported))[:STANDOUTS]
    weakest = [s for s in sorted(standings, key=lambda s: (s.share, -s.reported)) if s not in strongest][:STANDOUTS]
    return Headline(
        status_counts=now.status_counts,
        previous_year=before.year if before else None,
        previous_counts=then.status_counts if then else None,
        execution=now.execution,
        previous_execution=then.execution if then else None,
        strongest=tuple(strongest),
        weakest=tuple(weakest),
    )


def financial_situation(current: YearData, before: YearData | None) -> tuple[FinancialLine, ...]:
    """The General Secretariat's Financial situation items, this year beside the year before."""
    from reportgen.format import FINANCIAL_ITEMS

    now = {line.item: line for line in current.financial}
    then = {line.item: line.amount for line in before.financial} if before is not None else {}
    if not now and not then:
        return ()
    return tuple(FinancialLine(item, now[item].amount if item in now else None, then.get(item),
                               now[item].source if item in now else None)
                 for item in FINANCIAL_ITEMS if item in now or item in then)
