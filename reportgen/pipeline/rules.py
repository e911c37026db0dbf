"""Recommendation rules (contract section 5): a registry of small pure functions.

Each rule reads the assessed results and returns `Finding`s: its subject (an output, an
objective, a goal or the plan), a language-neutral `Text` and the evidence that fired it. A rule
declares, where it is registered, its label in the report and whether its findings go to the
Council (changes to the plan) or to the Bureaux (requests for data). `reportgen.pipeline.advice`
merges the findings into one recommendation per subject.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from reportgen.format import Status
from reportgen.model import (Amount, BureauName, FinanceResult, Finding, KPIResult, ObjectiveResult, Percent,
                             PlanName, ProposalEntry, Text, WorkbookText)
from reportgen.pipeline.secretariat import Calendar
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds

# A KPI met by at least this margin two years running gets a raised target (issue: "met by ≥ 15 %").
EXCEEDED_MARGIN = 0.15


def N_(message: str) -> str:
    """Marks a text for the catalogues; it is translated when the report is rendered."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a text with a plural for the catalogues (one entry with every plural form of a
    language); `Text.count(*NN_(…), n)` chooses the form when the report is rendered."""
    return singular, plural


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules look at: one year's assessed results, the plan and the calendar."""

    plan: Plan
    year: int
    kpis: tuple[KPIResult, ...]
    finance: tuple[FinanceResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    proposals: tuple[ProposalEntry, ...]
    thresholds: Thresholds
    calendar: Calendar = field(default_factory=Calendar)
    earlier_outputs: frozenset[str] | None = None  # outputs with a reported KPI the year before


Check = Callable[[Evidence], list[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str  # shown in the report, translated
    check: Check
    to_bureaux: bool = False  # findings are requests for data, not changes to the plan


RULES: dict[str, Rule] = {}


def rule(name: str, label: str, to_bureaux: bool = False) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[name] = Rule(name, label, check, to_bureaux)
        return check
    return register


def findings_of(evidence: Evidence) -> list[Finding]:
    """Every registered rule's findings, in registry order."""
    return [f for r in RULES.values() for f in r.check(evidence)]


def _years(before: int, year: int) -> Text:
    return Text.of(N_("in neither {before} nor {year}"), before=str(before), year=str(year))


@rule("objective-review", N_("objective review"))
def objective_review(e: Evidence) -> list[Finding]:
    found = []
    for result in e.objectives:
        code = result.objective.code
        kpis = [k for k in e.kpis if code in k.objectives and k.status != Status.NOT_REPORTED]
        failed = [k for k in kpis if k.status == Status.NOT_ACHIEVED]
        if len(kpis) >= e.thresholds.review_min_reported and \
                len(failed) >= e.thresholds.review_share_not_achieved * len(kpis):
            found.append(Finding("objective-review", code, Text.count(
                *NN_("{n} of the {reported} KPIs reported under objective {code} was not achieved in {year}.",
                     "{n} of the {reported} KPIs reported under objective {code} were not achieved in {year}."),
                len(failed), reported=len(kpis), code=code, year=str(e.year)),
                tuple(k.entry.source for k in failed)))
    return found


@rule("overspend", N_("overspend"))
def overspend(e: Evidence) -> list[Finding]:
    return [
        Finding("overspend", f.output, Text.of(
            N_("Output {code} spent {execution} of its budget in {year} ({spent} of {budget} thousand CHF), "
               "above the {limit} threshold."),
            code=f.output, execution=Percent(f.execution), year=str(e.year), spent=Amount(f.expenditure or 0),
            budget=Amount(f.budget or 0), limit=Percent(e.thresholds.overspend)), (f.source,))
        for f in e.finance if f.execution is not None and f.execution > e.thresholds.overspend
    ]


@rule("underspend", N_("underspend"))
def underspend(e: Evidence) -> list[Finding]:
    """Below the threshold, except for an output whose conference is not held this year: its
    spending follows the conference cycle (see `exemptions`)."""
    return [
        Finding("underspend", f.output, Text.of(
            N_("Output {code} spent only {execution} of its budget in {year} ({spent} of {budget} thousand CHF), "
               "below the {limit} threshold."),
            code=f.output, execution=Percent(f.execution), year=str(e.year), spent=Amount(f.expenditure or 0),
            budget=Amount(f.budget or 0), limit=Percent(e.thresholds.underspend)), (f.source,))
        for f in e.finance if f.execution is not None and f.execution < e.thresholds.underspend
        and not cycle_explains(e, f.output)
    ]


def cycle_explains(e: Evidence, output: str) -> bool:
    """True when the output follows a conference that is not held in the report's year."""
    event = e.calendar.event_of(output)
    return event is not None and not e.calendar.held(event, e.year)


@rule("missing-data", N_("missing data"), to_bureaux=True)
def missing_data(e: Evidence) -> list[Finding]:
    return [
        Finding("missing-data", k.entry.output, Text.of(
            N_("The {bureau} should supply the {year} result of the KPI '{kpi}' of output {code}."),
            bureau=BureauName(k.entry.bureau), year=str(e.year), kpi=WorkbookText(k.entry.kpi, "kpi"), code=k.entry.output),
            (k.entry.source,))
        for k in e.kpis if k.status == Status.NOT_REPORTED
    ]


def _last_year(e: Evidence, k: KPIResult):
    return next((h for h in k.history if h.year == e.year - 1), None)


@rule("persistent-shortfall", N_("persistent shortfall"))
def persistent_shortfall(e: Evidence) -> list[Finding]:
    found = []
    for k in e.kpis:
        before = _last_year(e, k)
        if k.status == Status.NOT_ACHIEVED and before is not None and before.status == Status.NOT_ACHIEVED:
            found.append(Finding("persistent-shortfall", k.entry.output, Text.of(
                N_("The KPI '{kpi}' of output {code} reached its target {years}."),
                kpi=WorkbookText(k.entry.kpi, "kpi"), code=k.entry.output, years=_years(e.year - 1, e.year)), (k.entry.source,)))
    return found


@rule("target-exceeded", N_("target exceeded"))
def target_exceeded(e: Evidence) -> list[Finding]:
    found = []
    for k in e.kpis:
        before = _last_year(e, k)
        if (k.achievement is not None and k.achievement >= 1 + EXCEEDED_MARGIN and before is not None
                and before.achievement is not None and before.achievement >= 1 + EXCEEDED_MARGIN):
            found.append(Finding("target-exceeded", k.entry.output, Text.of(
                N_("The KPI '{kpi}' of output {code} exceeded its target by at least {margin} in both {before} "
                   "and {year} ({earlier} and {now} of the way to the target)."),
                kpi=WorkbookText(k.entry.kpi, "kpi"), code=k.entry.output, margin=Percent(EXCEEDED_MARGIN), before=str(e.year - 1),
                year=str(e.year), earlier=Percent(before.achievement), now=Percent(k.achievement)),
                (k.entry.source,)))
    return found


@rule("unreported-output", N_("output not assessed"))
def unreported_output(e: Evidence) -> list[Finding]:
    """An output with no KPI result this year nor the year before (needs the year before)."""
    if e.earlier_outputs is None:
        return []
    reported = {k.entry.output for k in e.kpis if k.status != Status.NOT_REPORTED}
    sources = {}
    for k in e.kpis:
        sources.setdefault(k.entry.output, []).append(k.entry.source)
    return [
        Finding("unreported-output", o.code, Text.of(
            N_("No result was reported for any KPI of output {code} {years}."),
            code=o.code, years=Text.of(N_("in either {before} or {year}"), before=str(e.year - 1), year=str(e.year))), tuple(sources.get(o.code, ())))
        for o in e.plan.outputs if o.code not in reported and o.code not in e.earlier_outputs
    ]


@rule("proposal", N_("proposal"))
def proposal(e: Evidence) -> list[Finding]:
    return [Finding("proposal", p.refers_to, Text.of(N_("{body} proposes: “{text}”"),
                                                         body=WorkbookText(p.body, "source"),
                                                         text=WorkbookText(p.text, "proposal")),
                    (p.source,)) for p in e.proposals]
