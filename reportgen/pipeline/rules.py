"""Recommendation rules (contract section 5): a registry of small pure functions.

Each rule reads the assessed results and returns drafts carrying the evidence that fired
them; `recommend` numbers them and groups them by objective for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from reportgen.format import Status
from reportgen.model import (FinanceResult, KPIResult, ObjectiveResult, ProposalEntry, Recommendation,
                    RecommendationGroup, Source)
from reportgen.plan.loader import Plan
from reportgen.settings import Thresholds


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules look at."""

    plan: Plan
    year: int
    kpis: tuple[KPIResult, ...]
    finance: tuple[FinanceResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    proposals: tuple[ProposalEntry, ...]
    thresholds: Thresholds
    # Translates a rule's text (gettext of the report's language); the identity for English.
    gettext: Callable[[str], str] = field(default=lambda text: text)
    locale: str = "en"

    def say(self, message: str, **values: object) -> str:
        return self.gettext(message).format(**values)

    def pct(self, value: float) -> str:
        from babel.numbers import format_percent

        return format_percent(value, locale=self.locale)


@dataclass(frozen=True, slots=True)
class Draft:
    rule: str
    refers_to: str | None
    text: str
    evidence: tuple[Source, ...]
    body: str | None = None


Rule = Callable[[Evidence], list[Draft]]


def _(message: str) -> str:
    """Marks a rule's text for extraction; `Evidence.say` translates it when the rule runs."""
    return message

RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function
    return register


@rule("objective-review")
def objective_review(e: Evidence) -> list[Draft]:
    drafts = []
    for result in e.objectives:
        objective = result.objective
        kpis = [k for k in e.kpis if objective.code in k.objectives and k.status != Status.NOT_REPORTED]
        failed = [k for k in kpis if k.status == Status.NOT_ACHIEVED]
        if len(kpis) >= e.thresholds.review_min_reported and \
                len(failed) >= e.thresholds.review_share_not_achieved * len(kpis):
            drafts.append(Draft(
                "objective-review", objective.code,
                e.say(_("Review objective {code} ({title}): {failed} of its {reported} reported KPIs "
                        "were not achieved in {year}. Consider whether the objective's outputs, "
                        "targets or resources should be adjusted."),
                      code=objective.code, title=objective.title, failed=len(failed),
                      reported=len(kpis), year=e.year),
                tuple(k.entry.source for k in failed)))
    return drafts


@rule("overspend")
def overspend(e: Evidence) -> list[Draft]:
    return [
        Draft("overspend", f.output,
              e.say(_("Output {code} ({name}) spent {execution} of its budget in {year} (above "
                      "{limit}). Review its budget allocation or its cost control."),
                    code=f.output, name=e.plan.output(f.output).name, execution=e.pct(f.execution),
                    year=e.year, limit=e.pct(e.thresholds.overspend)), (f.source,))
        for f in e.finance if f.execution is not None and f.execution > e.thresholds.overspend
    ]


@rule("underspend")
def underspend(e: Evidence) -> list[Draft]:
    return [
        Draft("underspend", f.output,
              e.say(_("Output {code} ({name}) spent only {execution} of its budget in {year} (below "
                      "{limit}). Check whether its activities were delayed or its budget can be "
                      "reallocated."),
                    code=f.output, name=e.plan.output(f.output).name, execution=e.pct(f.execution),
                    year=e.year, limit=e.pct(e.thresholds.underspend)), (f.source,))
        for f in e.finance if f.execution is not None and f.execution < e.thresholds.underspend
    ]


def _bureau_name(e: Evidence, bureau: str) -> str:
    """"Radiocommunication Bureau", in the report's language, rather than the code "BR"."""
    sector = e.plan.sector_of_bureau(bureau)
    return sector.bureau_name if sector else bureau


@rule("missing-data")
def missing_data(e: Evidence) -> list[Draft]:
    return [
        Draft("missing-data", k.entry.output,
              e.say(_("KPI '{kpi}' of output {code} was not reported for {year}. The {bureau} should "
                      "supply the actual value so that progress can be evaluated."),
                    kpi=k.entry.kpi, code=k.entry.output, year=e.year, bureau=_bureau_name(e, k.entry.bureau)),
              (k.entry.source,))
        for k in e.kpis if k.status == Status.NOT_REPORTED
    ]


@rule("persistent-shortfall")
def persistent_shortfall(e: Evidence) -> list[Draft]:
    drafts = []
    for k in e.kpis:
        last_year = next((h for h in k.history if h.year == e.year - 1), None)
        if k.status == Status.NOT_ACHIEVED and last_year is not None and last_year.status == Status.NOT_ACHIEVED:
            drafts.append(Draft(
                "persistent-shortfall", k.entry.output,
                e.say(_("KPI '{kpi}' of output {code} was not achieved in {before} nor in {year}. "
                        "Consider revising its target or the means given to the output."),
                      kpi=k.entry.kpi, code=k.entry.output, before=e.year - 1, year=e.year),
                (k.entry.source,)))
    return drafts


@rule("proposal")
def proposal(e: Evidence) -> list[Draft]:
    return [Draft("proposal", p.refers_to, p.text, (p.source,), body=p.body) for p in e.proposals]


def recommend(evidence: Evidence) -> tuple[tuple[Recommendation, ...], tuple[RecommendationGroup, ...]]:
    """Every rule's drafts, numbered in the plan's order and grouped by objective."""
    plan = evidence.plan
    drafts = [d for function in RULES.values() for d in function(evidence)]
    order = {code: i for i, code in enumerate(
        [o.code for o in plan.objectives] + [o.code for o in plan.outputs] + [g.code for g in plan.goals])}
    rule_order = {name: i for i, name in enumerate(RULES)}
    drafts.sort(key=lambda d: (_group_of(plan, d.refers_to) is None,
                               order.get(_group_of(plan, d.refers_to) or "", len(order)),
                               order.get(d.refers_to or "", len(order)), rule_order[d.rule]))
    recommendations = tuple(
        Recommendation(f"REC-{n:03d}", d.rule, d.refers_to, _group_of(plan, d.refers_to), d.text,
                       d.evidence, d.body)
        for n, d in enumerate(drafts, start=1)
    )
    groups: list[RecommendationGroup] = []
    for objective in plan.objectives:
        members = tuple(r for r in recommendations if r.objective == objective.code)
        if members:
            groups.append(RecommendationGroup(f"{objective.code}: {objective.title}", objective, members))
    rest = tuple(r for r in recommendations if r.objective is None)
    if rest:
        groups.append(RecommendationGroup("The plan as a whole and its goals", None, rest))
    return recommendations, tuple(groups)


def _group_of(plan: Plan, code: str | None) -> str | None:
    """The objective a recommendation is shown under: itself, or an output's first objective."""
    if code is None:
        return None
    try:
        return plan.objective(code).code
    except KeyError:
        pass
    try:
        return plan.output(code).objectives[0]
    except KeyError:
        return None
