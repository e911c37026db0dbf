"""The report model, computed once per build in no language: analysis, rules and advice.

`report_model` is what `build.assemble` runs. The advice of the year before is computed too, so
that secretariat.yaml's `follow_up` can name last year's recommendations by their ids.
"""

from __future__ import annotations

from reportgen.format import Status
from reportgen.model import FinancialLine, Headline, Location, ObjectiveStanding, ReportModel, YearData, problem_order
from reportgen.pipeline import analyse
from reportgen.pipeline.advice import advise, funds_of
from reportgen.pipeline.rules import Evidence
from reportgen.pipeline.secretariat import Calendar
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds

# Sector chapters follow the summary: the first Sector is chapter 2 (templates/report.html.j2).
FIRST_SECTOR_CHAPTER = 2


def _reported_outputs(data: YearData | None) -> frozenset[str] | None:
    if data is None:
        return None
    return frozenset(e.output for e in data.kpis if e.actual is not None)


def _evidence(plan: Plan, current: YearData, earlier: list[YearData], thresholds: Thresholds,
              calendar: Calendar) -> tuple[Evidence, tuple]:
    kpis = analyse.assess_kpis(plan, current, earlier, thresholds)
    finance = analyse.assess_finance(plan, current.finance)
    rolled = analyse.roll_up(plan, current, kpis, finance)
    before = earlier[-1] if earlier and earlier[-1].year == current.year - 1 else None
    evidence = Evidence(plan, current.year, kpis, finance, rolled[1], current.proposals, thresholds, calendar,
                        _reported_outputs(before))
    return evidence, rolled


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
    plan, thresholds = config.plan, config.thresholds
    current, earlier = returns.current, list(returns.earlier)
    calendar = config.calendar.with_overrides(returns.secretariat.conferences)
    evidence, (sectors, objectives, goals) = _evidence(plan, current, earlier, thresholds, calendar)
    previous = None
    before = None
    if earlier and earlier[-1].year == current.year - 1:
        before, _ = _evidence(plan, earlier[-1], earlier[:-1], thresholds, calendar)
        previous_advice, _ = advise(before)
        previous = {r.id: frozenset(f.rule for f in r.findings) for r in previous_advice.recommendations}
    financial = financial_situation(current, earlier[-1] if earlier and earlier[-1].year == current.year - 1 else None)
    advice, advice_problems = advise(evidence, returns.secretariat, previous, funds_of(financial), financial)
    places = locations(plan, evidence.kpis)
    for f in evidence.finance:
        sector = plan.output(f.output).sector
        chapter = FIRST_SECTOR_CHAPTER + [s.code for s in plan.sectors].index(sector)
        places[f.source] = Location(f"{chapter}.2", f.output, None, f"output-{f.output}")
    budget = sum(s.budget for s in sectors)
    spent = sum(s.expenditure for s in sectors)
    execution = spent / budget if budget else None
    problems = current.problems + returns.secretariat.problems + advice_problems
    return ReportModel(
        plan=plan,
        year=current.year,
        illustrative=any((r.data_status or "").strip().lower() == "illustrative" for r in current.returns),
        report_date=report_date,
        returns=current.returns,
        kpis=evidence.kpis,
        finance=evidence.finance,
        sectors=sectors,
        objectives=objectives,
        goals=goals,
        advice=advice,
        locations=places,
        proposals=current.proposals,
        problems=tuple(sorted(problems, key=problem_order)),
        status_counts=analyse.count_statuses(evidence.kpis),
        budget=budget,
        expenditure=spent,
        execution=execution,
        headline=headline(evidence, before, execution),
        earlier_years=tuple(y.year for y in earlier),
        document=config.document,
        thresholds=thresholds,
    )


def _execution(evidence: Evidence) -> float | None:
    budget = sum(f.budget or 0 for f in evidence.finance)
    spent = sum(f.expenditure or 0 for f in evidence.finance)
    return spent / budget if budget else None


def _standings(evidence: Evidence) -> list[ObjectiveStanding]:
    """Objectives with at least two KPIs with a result, by share achieved."""
    found = []
    for objective in evidence.plan.objectives:
        reported = [k for k in evidence.kpis if objective.code in k.objectives and k.status != Status.NOT_REPORTED]
        if len(reported) >= 2:
            found.append(ObjectiveStanding(objective.code, sum(k.status == Status.ACHIEVED for k in reported),
                                           len(reported)))
    return found


# How many objectives the summary names as strongest and as weakest.
STANDOUTS = 3


def headline(evidence: Evidence, before: Evidence | None, execution: float | None) -> Headline:
    standings = _standings(evidence)
    strongest = sorted(standings, key=lambda s: (-s.share, -s.reported))[:STANDOUTS]
    weakest = [s for s in sorted(standings, key=lambda s: (s.share, -s.reported)) if s not in strongest][:STANDOUTS]
    return Headline(
        status_counts=analyse.count_statuses(evidence.kpis),
        previous_year=before.year if before else None,
        previous_counts=analyse.count_statuses(before.kpis) if before else None,
        execution=execution,
        previous_execution=_execution(before) if before else None,
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
