"""The plan-period assessment as HTML (Jinja2, `templates/assessment.html.j2`) and as JSON
(contract 8.5). The model comes whole from `reportgen.pipeline.assess`; here it is only shown.

The annual report's Jinja environment (filters for numbers, money, percentages, statuses) is
used as it is, with a few globals of the assessment's own: the verdicts' and linkage figures'
labels and the lessons' texts, all through the catalogues.
"""

from __future__ import annotations

from typing import Any

from reportgen.pipeline.assess import (ACHIEVED_SHARE, AT_RISK_FALL, AT_RISK_SHARE, OFF_TRACK_SHARE, VERDICTS,
                                       WIDE_MARGIN, Assessment, Lesson, MoneyLine, SeriesPoint)
from reportgen.render.locale import Locale, locale_for
from reportgen.render.report import N_
from reportgen.resources import TEMPLATES_DIR

VERDICT_LABELS = {"achieved": N_("achieved"), "on track": N_("on track"), "at risk": N_("at risk"),
                  "off track": N_("off track"), "not assessed": N_("not assessed")}
VERDICT_ICONS = {"achieved": "✔", "on track": "➚", "at risk": "⚠", "off track": "✖", "not assessed": "–"}
LINKAGE_LABELS = {
    "kpis_with_baseline": N_("KPIs with a baseline"),
    "kpis_reported_every_year": N_("KPIs reported every year"),
    "outputs_with_budget_and_kpis": N_("Outputs with both a budget and KPIs"),
    "objectives_with_kpis": N_("Objectives measured by at least one KPI"),
    "expenditure_on_measured_outputs": N_("Expenditure on outputs with a KPI reported that year (thousands of CHF)"),
}
LINKAGE_TOTALS = {
    "kpis_with_baseline": N_("KPIs tracked"),
    "kpis_reported_every_year": N_("KPIs tracked"),
    "outputs_with_budget_and_kpis": N_("outputs in the plan"),
    "objectives_with_kpis": N_("objectives in the plan"),
    "expenditure_on_measured_outputs": N_("total expenditure"),
}
LESSON_TEXTS = {
    "never-reported": N_("No KPI of output {output} ({name}) was reported in {years}: the next plan should give "
                         "it indicators that its Bureau can measure and report every year."),
    "no-kpi": N_("No KPI measured objective {objective} ({title}) in {years}: the next plan should give it "
                 "at least one indicator, with a baseline and a target."),
    "unmeasured-spending": N_("{amount} thousand CHF were spent on output {output} ({name}) in {years} with none "
                              "of its KPIs reported: the next plan should tie this money to results that are "
                              "measured."),
    "wide-margin": N_("'{kpi}' ({output}) exceeded its target by a wide margin every year it was reported "
                      "({years}; lowest achievement {lowest}): the next plan should set a more demanding target."),
}
LESSON_KINDS = {"never-reported": N_("KPIs never reported"), "no-kpi": N_("objective without a KPI"),
                "unmeasured-spending": N_("money spent with nothing measured"),
                "wide-margin": N_("target met by a wide margin")}
YEAR_STATUS_LABELS = {"final": N_("final"), "provisional": N_("provisional"), "missing": N_("no returns")}
ABSENT_LABELS = {"not listed": N_("not in the return"), "no return": N_("no return")}


def _years(years: tuple[int, ...], provisional: tuple[int, ...], locale: Locale) -> str:
    marked = [locale.say(N_("{year} (provisional)"), year=y) if y in provisional else str(y) for y in years]
    return locale.join(marked)


def lesson_text(lesson: Lesson, locale: Locale) -> str:
    """The lesson in `locale`'s language, its figures written as that language writes them."""
    facts = dict(lesson.facts)
    values = {k: v for k, v in facts.items() if isinstance(v, str)}
    values["years"] = _years(tuple(facts.get("years", ())), tuple(facts.get("provisional", ())), locale)
    if "expenditure" in facts:
        values["amount"] = locale.number(round(facts["expenditure"]))
    if "lowest" in facts:
        values["lowest"] = locale.percent(facts["lowest"])
    return locale.say(LESSON_TEXTS[lesson.kind], **values)


def _money(line: MoneyLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "by_year": {str(y): {"budget": m.budget, "expenditure": m.expenditure, "execution": m.execution}
                    for y, m in line.by_year},
        "budget": line.total.budget,
        "expenditure": line.total.expenditure,
        "execution": line.total.execution,
    }


def _point(p: SeriesPoint) -> dict[str, Any]:
    return {"year": p.year, "target": p.target, "actual": p.actual, "achievement": p.achievement,
            "status": p.status, "baseline": p.baseline, "provisional": p.provisional, "absent": p.absent,
            "source": p.source.as_dict() if p.source else None}


def _counts(counts) -> dict[str, dict[str, int]]:
    return {str(c.year): dict(c.counts) for c in counts}


def _basis(basis) -> dict[str, Any]:
    return {"year": basis.year, "provisional": basis.provisional, "reported": basis.reported,
            "achieved": basis.achieved, "not_achieved": basis.not_achieved,
            "share_achieved": basis.share_achieved, "share_not_achieved": basis.share_not_achieved,
            "previous_year": basis.previous_year, "previous_share_achieved": basis.previous_share_achieved}


def assessment_json(m: Assessment) -> dict[str, Any]:
    """The assessment as contract 8.5 lays it out, with the method's thresholds and the
    annex's findings as well. Texts are in English."""
    english = locale_for("en")
    finance = m.finance
    plan = finance.financial_plan
    return {
        "period": m.period.label,
        "first_year": m.period.first,
        "last_year": m.period.last,
        "plan": m.plan.id,
        "years": list(m.years),
        "provisional_years": list(m.provisional_years),
        "missing_years": list(m.missing_years),
        "year_status": [{"year": y.year, "status": y.status, "returns": [r.file for r in y.returns],
                         "data_status": sorted({r.data_status for r in y.returns if r.data_status}),
                         "missing_bureaux": list(y.missing_bureaux), "errors": y.errors, "warnings": y.warnings}
                        for y in m.year_info],
        "illustrative": m.illustrative,
        "date": m.report_date,
        "method": {
            "statuses": {"achieved": m.thresholds.achieved, "partially_achieved": m.thresholds.partially_achieved},
            "verdict": {"achieved_share_every_year": ACHIEVED_SHARE,
                        "off_track_share_not_achieved": OFF_TRACK_SHARE,
                        "at_risk_share_not_achieved": AT_RISK_SHARE,
                        "at_risk_fall_of_share_achieved": AT_RISK_FALL},
            "wide_margin": WIDE_MARGIN,
        },
        "summary": {
            "objectives": m.verdict_counts(m.objectives),
            "goals": m.verdict_counts(m.goals),
            "kpis": len(m.kpis),
            "kpis_with_breaks": len(m.breaks),
            "lessons": len(m.lessons),
        },
        "kpis": [
            {"bureau": k.bureau, "sector": k.sector, "output": k.output.code, "kpi": k.kpi, "unit": k.unit,
             "direction": k.direction, "objectives": list(k.objectives), "goals": list(k.goals),
             "starts": k.starts, "stops": k.stops, "gaps": list(k.gaps), "other_names": list(k.other_names),
             "series": [_point(p) for p in k.points]}
            for k in m.kpis
        ],
        "objectives": [
            {"code": o.objective.code, "sector": o.objective.sector, "goals": list(o.objective.goals),
             "status_counts": _counts(o.counts), "verdict": o.verdict, "basis": _basis(o.basis),
             "budget": o.budget, "expenditure": o.expenditure}
            for o in m.objectives
        ],
        "goals": [
            {"code": g.goal.code, "objectives": list(g.objectives), "status_counts": _counts(g.counts),
             "verdict": g.verdict, "basis": _basis(g.basis)}
            for g in m.goals
        ],
        "finance": {
            "total": _money(finance.total),
            "sectors": [_money(s) for s in finance.sectors],
            "outputs": [_money(o) | {"sector": o.sector,
                                     "sources": {str(y): s.as_dict() for y, s in o.sources}}
                        for o in finance.outputs],
            "financial_plan": None if plan is None else {
                "envelope": plan.envelope, "source": plan.source,
                "sectors": {code: amount for code, amount in plan.sectors},
                "share_budgeted": finance.share_of_envelope_budgeted,
                "share_spent": finance.share_of_envelope_spent,
            },
        },
        "linkage": {f.key: {"count": f.count, "total": f.total, "share": f.share} for f in m.linkage},
        "lessons": [
            {"kind": l.kind, "refers_to": l.refers_to, "text": lesson_text(l, english),
             "evidence": [e.as_dict() for e in l.evidence]}
            for l in m.lessons
        ],
        "names_only_once": [
            {"bureau": o.bureau, "output": o.output, "kpi": o.kpi, "year": o.year, "closest": o.closest,
             "closest_years": list(o.closest_years)}
            for o in m.only_once
        ],
        "problems": [{"year": year, **p.as_dict()} for year, p in m.problems],
    }


def render_assessment(m: Assessment, lang: str = "en", for_pdf: bool = False) -> str:
    """The assessment's HTML in `lang`; `for_pdf` gives the variant WeasyPrint renders."""
    from markupsafe import Markup

    from reportgen.render.report import environment, inline_custom_properties

    locale = locale_for(lang)
    env = environment(locale)
    env.globals.update(
        VERDICTS=VERDICTS,
        verdict_label=lambda v: locale.gettext(VERDICT_LABELS[v]),
        verdict_icon=lambda v: VERDICT_ICONS[v],
        linkage_label=lambda key: locale.gettext(LINKAGE_LABELS[key]),
        linkage_total=lambda key: locale.gettext(LINKAGE_TOTALS[key]),
        lesson_text=lambda lesson: lesson_text(lesson, locale),
        lesson_kind=lambda kind: locale.gettext(LESSON_KINDS[kind]),
        year_status=lambda status: locale.gettext(YEAR_STATUS_LABELS[status]),
        absent_label=lambda reason: locale.gettext(ABSENT_LABELS[reason]),
        year_list=lambda years, provisional=(): _years(tuple(years), tuple(provisional), locale),
        join_list=lambda items: locale.join([str(i) for i in items]),
        thresholds={"achieved_share": ACHIEVED_SHARE, "off_track_share": OFF_TRACK_SHARE,
                    "at_risk_share": AT_RISK_SHARE, "at_risk_fall": AT_RISK_FALL, "wide_margin": WIDE_MARGIN},
    )
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    css += (TEMPLATES_DIR / "partials" / "assessment" / "assessment.css").read_text(encoding="utf-8")
    css = Markup(inline_custom_properties(css) if for_pdf else css)
    template = env.get_template("assessment.html.j2")
    return template.render(m=m, plan=m.plan, css=css, charts={}, for_pdf=for_pdf)
