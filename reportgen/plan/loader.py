"""The strategic plan as data: load a plan file (YAML) into frozen objects and check it.

A plan file lists goals, and per sector its mission, objectives (each linked to goals, as in
Table 8.1) and outputs (each linked to objectives, as in Tables 4.1-7.1). Another plan period
is another file in `reportgen/plans/`, never new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from reportgen.errors import PlanError
from reportgen.util.text import fold
from reportgen.resources import PLANS_DIR
DEFAULT_PLAN = "itu-2008-2011"


@dataclass(frozen=True, slots=True)
class Goal:
    code: str
    title: str  # the short heading of Table 8.1
    text: str  # the full wording of section 3.2


@dataclass(frozen=True, slots=True)
class Objective:
    code: str
    sector: str
    number: int
    title: str  # the short heading of the sector's table
    text: str  # the full wording
    goals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Output:
    code: str
    sector: str
    name: str
    objectives: tuple[str, ...]
    high_priority: bool


@dataclass(frozen=True, slots=True)
class Sector:
    code: str
    name: str
    bureau: str
    bureau_name: str
    mission: str
    priorities: str
    objectives: tuple[Objective, ...]
    outputs: tuple[Output, ...]


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    source: str
    first_year: int
    last_year: int
    goals: tuple[Goal, ...]
    sectors: tuple[Sector, ...]
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def objectives(self) -> tuple[Objective, ...]:
        return tuple(o for s in self.sectors for o in s.objectives)

    @cached_property
    def outputs(self) -> tuple[Output, ...]:
        return tuple(o for s in self.sectors for o in s.outputs)

    @cached_property
    def _by_code(self) -> dict[str, Any]:
        items = [*self.goals, *self.sectors, *self.objectives, *self.outputs]
        return {item.code: item for item in items}

    @cached_property
    def _output_keys(self) -> dict[str, tuple[Output, ...]]:
        # Names are unique within a sector only: "Study groups" is T-04 and D-02.
        keys: dict[str, tuple[Output, ...]] = {}
        for output in self.outputs:
            for key in {fold(output.code), fold(output.name)}:
                keys[key] = keys.get(key, ()) + (output,)
        return keys

    def goal(self, code: str) -> Goal:
        return self._typed(code, Goal)

    def objective(self, code: str) -> Objective:
        return self._typed(code, Objective)

    def output(self, code: str) -> Output:
        return self._typed(code, Output)

    def sector(self, code: str) -> Sector:
        return self._typed(code, Sector)

    def _typed(self, code: str, kind: type) -> Any:
        item = self._by_code.get(code)
        if not isinstance(item, kind):
            raise KeyError(f"{code!r} is not a {kind.__name__.lower()} of plan {self.id}")
        return item

    def find_outputs(self, text: str) -> tuple[Output, ...]:
        """Every output named by `text`, a code or a printed name (case and spaces ignored)."""
        return self._output_keys.get(fold(text), ())

    def find_output(self, text: str, sector: str | None = None) -> Output | None:
        """The output named by `text`, preferring the given sector's when a name is shared."""
        matches = self.find_outputs(text)
        if sector is not None:
            own = [o for o in matches if o.sector == sector]
            if own:
                return own[0]
        return matches[0] if matches else None

    def find_code(self, text: str, sector: str | None = None) -> str | None:
        """A goal, objective or output code named in `text` (code or output name), else None."""
        key = fold(text)
        for code, item in self._by_code.items():
            if fold(code) == key and not isinstance(item, Sector):
                return code
        output = self.find_output(text, sector)
        return output.code if output else None

    def sector_of_bureau(self, bureau: str) -> Sector | None:
        return next((s for s in self.sectors if s.bureau == bureau.upper()), None)

    def outputs_of_objective(self, code: str) -> tuple[Output, ...]:
        return tuple(o for o in self.outputs if code in o.objectives)

    def objectives_of_goal(self, code: str) -> tuple[Objective, ...]:
        return tuple(o for o in self.objectives if code in o.goals)

    def goals_of_output(self, output: Output) -> tuple[str, ...]:
        codes = {g for obj in output.objectives for g in self.objective(obj).goals}
        return tuple(g.code for g in self.goals if g.code in codes)

    def similar_outputs(self, text: str, sector: str | None = None, limit: int = 3) -> list[str]:
        """Closest output codes and names to a misspelt one, for 'did you mean' messages."""
        import difflib

        candidates = {
            f"{o.code} ({o.name})": fold(o.name)
            for o in self.outputs
            if sector is None or o.sector == sector
        }
        scored = sorted(
            candidates,
            key=lambda label: -difflib.SequenceMatcher(None, fold(text), candidates[label]).ratio(),
        )
        return scored[:limit]


def plan_path(name: str = DEFAULT_PLAN) -> Path:
    return PLANS_DIR / f"{name}.yaml"


def load_plan(path: Path | str | None = None) -> Plan:
    """Read and check a plan file (default: the 2008-2011 plan). Raises PlanError naming the fault."""
    import yaml

    source = Path(path) if path else plan_path()
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"cannot read plan file {source}: {exc}") from exc
    try:
        plan = _build(data)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"plan file {source} is malformed: {exc!r}") from exc
    try:
        _check(plan, data.get("expected_counts") or {}, source)
    except (KeyError, TypeError, AttributeError) as exc:
        raise PlanError(f"plan file {source}: expected_counts is malformed: {exc!r}") from exc
    return plan


def _build(data: dict[str, Any]) -> Plan:
    goals = tuple(Goal(g["code"], g["title"], " ".join(g["text"].split())) for g in data["goals"])
    sectors = []
    for s in data["sectors"]:
        objectives = tuple(
            Objective(
                code=o["code"],
                sector=s["code"],
                number=int(o["number"]),
                title=o["title"],
                text=" ".join(o["text"].split()),
                goals=tuple(o["goals"]),
            )
            for o in s["objectives"]
        )
        outputs = tuple(
            Output(
                code=o["code"],
                sector=s["code"],
                name=o["name"],
                objectives=tuple(o["objectives"]),
                high_priority=_flag(o.get("high_priority", False), o["code"]),
            )
            for o in s["outputs"]
        )
        sectors.append(
            Sector(
                code=s["code"],
                name=s["name"],
                bureau=s["bureau"],
                bureau_name=s["bureau_name"],
                mission=" ".join(s["mission"].split()),
                priorities=" ".join(s.get("priorities", "").split()),
                objectives=objectives,
                outputs=outputs,
            )
        )
    period = data["period"]
    return Plan(
        id=data["id"],
        title=data["title"],
        source=data["source"],
        first_year=int(period[0]),
        last_year=int(period[1]),
        goals=goals,
        sectors=tuple(sectors),
        notes=tuple(data.get("notes", ())),
    )


def _flag(value: Any, code: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"high_priority of {code} must be true or false, not {value!r}")
    return value


def _check(plan: Plan, expected: dict[str, dict[str, int]], source: Path) -> None:
    faults: list[str] = []
    codes = [g.code for g in plan.goals] + [s.code for s in plan.sectors]
    codes += [o.code for o in plan.objectives] + [o.code for o in plan.outputs]
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            faults.append(f"code {code} is used twice")
        seen.add(code)
    for sector in plan.sectors:
        names = [fold(o.name) for o in sector.outputs]
        faults += [
            f"output name {n!r} is used twice in sector {sector.code}"
            for n in sorted(set(names))
            if names.count(n) > 1
        ]
    bureaux = [s.bureau for s in plan.sectors]
    faults += [f"bureau {b} is used twice" for b in set(bureaux) if bureaux.count(b) > 1]
    goal_codes = {g.code for g in plan.goals}
    for sector in plan.sectors:
        objective_codes = {o.code for o in sector.objectives}
        for objective in sector.objectives:
            faults += [
                f"objective {objective.code} links to unknown goal {g}"
                for g in objective.goals
                if g not in goal_codes
            ]
            if not objective.goals:
                faults.append(f"objective {objective.code} serves no goal")
        for output in sector.outputs:
            faults += [
                f"output {output.code} links to {o}, which is not an objective of sector {sector.code}"
                for o in output.objectives
                if o not in objective_codes
            ]
            if not output.objectives:
                faults.append(f"output {output.code} serves no objective")
        served = {o for out in sector.outputs for o in out.objectives}
        faults += [f"objective {o} has no output" for o in sorted(objective_codes - served)]
    for sector_code, count in expected.get("objectives", {}).items():
        actual = len(plan.sector(sector_code).objectives) if sector_code in seen else 0
        if actual != count:
            faults.append(f"sector {sector_code} has {actual} objectives, the plan says {count}")
    for sector_code, count in expected.get("outputs", {}).items():
        actual = len(plan.sector(sector_code).outputs) if sector_code in seen else 0
        if actual != count:
            faults.append(f"sector {sector_code} has {actual} outputs, the plan says {count}")
    if "goals" in expected and len(plan.goals) != expected["goals"]:
        faults.append(f"the plan has {len(plan.goals)} goals, it says {expected['goals']}")
    if faults:
        raise PlanError(f"plan file {source} is inconsistent: " + "; ".join(faults))


# -- the plan in other languages -------------------------------------------------------------
# A language file `plans/<plan id>.<lang>.yaml` gives the plan's texts in that language:
# title, goals {code: {title, text}}, sectors {code: {name, bureau_name, mission, priorities}},
# objectives {code: {title, text}}, outputs {code: name}. `review: true` (file-wide or per
# entry) marks texts that are our translation, awaiting review against the official version.


def _language_file(plan: Plan, lang: str) -> dict[str, Any]:
    path = PLANS_DIR / f"{plan.id}.{lang}.yaml"
    if lang == "en" or not path.is_file():
        return {}
    from reportgen.util.yamlfile import read_mapping

    return read_mapping(path, PlanError, "plan translation")


def _plan_entries(plan: Plan) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every translatable entry: key → (section of the language file, fields)."""
    entries: dict[str, tuple[str, tuple[str, ...]]] = {"title": ("", ("title",))}
    entries |= {g.code: ("goals", ("title", "text")) for g in plan.goals}
    entries |= {s.code: ("sectors", ("name", "bureau_name", "mission")) for s in plan.sectors}
    entries |= {o.code: ("objectives", ("title", "text")) for o in plan.objectives}
    entries |= {o.code: ("outputs", ()) for o in plan.outputs}
    return entries


def translation_gaps(plan: Plan, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes with no text in `lang`, codes whose text awaits review) for `i18n check`."""
    if lang == "en":
        return (), ()
    data = _language_file(plan, lang)
    missing, review = [], []
    file_review = bool(data.get("review", False))
    for code, (section, names) in _plan_entries(plan).items():
        if section == "":
            value = data.get("title")
            ok = isinstance(value, str) and value.strip()
            entry_review = file_review
        else:
            value = (data.get(section) or {}).get(code)
            if section == "outputs":
                ok = isinstance(value, str) and value.strip() or isinstance(value, dict) and value.get("name")
                entry_review = value.get("review", file_review) if isinstance(value, dict) else file_review
            else:
                ok = isinstance(value, dict) and all(str(value.get(n) or "").strip() for n in names)
                entry_review = value.get("review", file_review) if isinstance(value, dict) else file_review
        if not ok:
            missing.append(code)
        elif entry_review:
            review.append(code)
    return tuple(missing), tuple(review)


def localise(plan: Plan, lang: str) -> Plan:
    """The plan with its texts in `lang` where the language file has them (else English)."""
    from dataclasses import replace

    data = _language_file(plan, lang)
    if not data:
        return plan

    def squash(text: object) -> str:
        # Only line breaks and ordinary spaces: translators' no-break spaces (« », before
        # ":" in French) must survive.
        return re.sub(r"[ \t\r\n]+", " ", str(text)).strip()

    def text_of(section: str, code: str, name: str, default: str) -> str:
        value = (data.get(section) or {}).get(code)
        if section == "outputs":
            value = value.get("name") if isinstance(value, dict) else value
            return squash(value) if value else default
        found = value.get(name) if isinstance(value, dict) else None
        return squash(found) if found else default

    goals = tuple(replace(g, title=text_of("goals", g.code, "title", g.title),
                          text=text_of("goals", g.code, "text", g.text)) for g in plan.goals)
    sectors = []
    for s in plan.sectors:
        objectives = tuple(replace(o, title=text_of("objectives", o.code, "title", o.title),
                                   text=text_of("objectives", o.code, "text", o.text)) for o in s.objectives)
        outputs = tuple(replace(o, name=text_of("outputs", o.code, "name", o.name)) for o in s.outputs)
        sectors.append(replace(s, name=text_of("sectors", s.code, "name", s.name),
                               bureau_name=text_of("sectors", s.code, "bureau_name", s.bureau_name),
                               mission=text_of("sectors", s.code, "mission", s.mission),
                               priorities=text_of("sectors", s.code, "priorities", s.priorities),
                               objectives=objectives, outputs=outputs))
    title = data.get("title") or plan.title
    return replace(plan, title=squash(title), goals=goals, sectors=tuple(sectors))
