"""The report model as one language shows it: the same figures, with the plan's texts (goals,
objectives, outputs, Sectors) and the cover's settings in that language.

Only the plan records are swapped, by code; nothing is computed again, so every language shows
the same numbers in the same order.
"""

from __future__ import annotations

from dataclasses import replace

from reportgen.model import ReportModel
from reportgen.plan.loader import localise


def localised_model(model: ReportModel, language: str) -> ReportModel:
    if language == "en":
        return replace(model, document=model.document.for_language("en"))
    plan = localise(model.plan, language)
    goals = {g.code: g for g in plan.goals}
    objectives = {o.code: o for o in plan.objectives}
    outputs = {o.code: o for o in plan.outputs}
    sectors = {s.code: s for s in plan.sectors}

    def objective_result(result):
        return replace(result, objective=objectives[result.objective.code])

    return replace(
        model,
        plan=plan,
        objectives=tuple(objective_result(o) for o in model.objectives),
        goals=tuple(replace(g, goal=goals[g.goal.code]) for g in model.goals),
        sectors=tuple(replace(s, sector=sectors[s.sector.code],
                              objectives=tuple(objective_result(o) for o in s.objectives),
                              outputs=tuple(replace(o, output=outputs[o.output.code]) for o in s.outputs))
                      for s in model.sectors),
        document=model.document.for_language(language),
    )
