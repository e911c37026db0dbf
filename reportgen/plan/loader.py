"""The strategic plan as data: load a plan file (YAML) into frozen objects and check it.

A plan file lists goals, and per sector its mission, objectives (each linked to goals, as in
Table 8.1 of the 2008-2011 plan) and outputs (each linked to objectives, as in its Tables
4.1-7.1), and the mandate: the texts that tie the report to the resolution that adopted the
plan. Another plan period is another file (`--plan FILE`), never new code or template edits.
A file `<plan file name>.<lang>.yaml` beside the plan file gives its texts in another language.

Every problem of a plan file is reported with its line, all of them at once (PlanFileError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from reportgen.errors import ConfigProblem, PlanFileError
from reportgen.resources import PLANS_DIR
from reportgen.util.text import fold
from reportgen.util.yamlfile import Mapping, describe, line_of

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


@dataclass(frozen=True, slots=True)
class Mandate:
    """The texts that tie the report to the resolution that adopted the plan. They change with
    every plan period, so they are data of the plan file (translated in its language files),
    never text of a template."""

    reporting: str  # the instruction to report (summary, paragraph 1.1.1)
    references: str  # the documents the cover cites under "References", with their punctuation
    distribution: str  # the instruction to distribute the report (cover letter)
    goals_table: str  # where the plan links objectives to goals ("Table 8.1"), cited in the report
    circulation: str = ""  # what Member States are urged to do with it (cover letter)


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
    mandate: Mandate = field(default=Mandate("", "", "", ""))
    path: Path | None = field(default=None, compare=False)  # the file it was read from

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
    """Read and check a plan file (default: the 2008-2011 plan). Raises PlanFileError (a
    PlanError and a ConfigError) listing every problem, each with its line."""
    from reportgen.errors import ConfigError
    from reportgen.util.yamlfile import read_yaml

    source = Path(path) if path else plan_path()
    try:
        data = read_yaml(source, "plan file")
    except ConfigError as exc:
        raise PlanFileError(exc.problems, "cannot read plan file") from None
    reader = _Reader(source)
    plan = reader.plan(data)
    if reader.problems or plan is None:
        raise PlanFileError(reader.problems, "the plan file is malformed")
    faults = _check(plan, data.get("expected_counts"), reader)
    if faults:
        raise PlanFileError(faults, "the plan file is inconsistent")
    return plan


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class _Reader:
    """Turns a plan file's YAML into a Plan, noting every problem with its line instead of
    stopping at the first; remembers the line of each code for the consistency checks."""

    def __init__(self, source: Path) -> None:
        self.source = str(source)
        self.problems: list[ConfigProblem] = []
        self.lines: dict[str, int | None] = {}  # code -> line of its entry
        self.repeated: list[tuple[str, int | None]] = []  # codes given a second time, and where

    def problem(self, line: int | None, message: str, fix: str = "") -> None:
        self.problems.append(ConfigProblem(self.source, line, message, fix))

    def get(self, entry: dict, key: str, where: str, kind: type | tuple[type, ...], what: str,
            required: bool = True) -> Any:
        """`entry[key]` if it is of `kind`; else a problem (when required or present) and None.
        `what` says what the value should be, for the fix: "the sector's mission text"."""
        value = entry.get(key)
        if value is None:
            if required:
                self.problem(line_of(entry, key), f"{where}: '{key}' is missing or empty", f"add {key}: {what}")
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.problem(line_of(entry, key), f"{where}: '{key}' is {describe(value)}", f"write {what}")
            return None
        return value

    def text(self, entry: dict, key: str, where: str, what: str, required: bool = True) -> str:
        value = self.get(entry, key, where, str, what, required)
        if value is not None and not value.strip():
            self.problem(line_of(entry, key), f"{where}: '{key}' is empty", f"write {what}")
        return " ".join((value or "").split())

    def code(self, entry: dict, where: str) -> str:
        code = self.get(entry, "code", where, str, "a code such as G1, R2 or R-01")
        if code is None:
            return ""
        if not _CODE.fullmatch(code):
            self.problem(line_of(entry, "code"), f"{where}: code {code!r} may hold only letters, digits, "
                         "'.', '-' and '_'", "write it without spaces, e.g. R-01")
        if code in self.lines:
            self.repeated.append((code, line_of(entry)))
        self.lines.setdefault(code, line_of(entry))
        return code

    def codes(self, entry: dict, key: str, where: str, what: str) -> tuple[str, ...]:
        value = self.get(entry, key, where, list, what)
        if value is None:
            return ()
        wrong = [v for v in value if not isinstance(v, str) or isinstance(v, bool)]
        if wrong:
            self.problem(line_of(entry, key), f"{where}: '{key}' holds {describe(wrong[0])}, not a code",
                         f"write {what}")
        return tuple(v for v in value if isinstance(v, str))

    def entries(self, entry: dict, key: str, where: str, what: str) -> list[Mapping]:
        """The mappings listed under `key` (a list of entries)."""
        value = self.get(entry, key, where, list, what)
        if value is None:
            return []
        if not value:
            self.problem(line_of(entry, key), f"{where}: '{key}' lists nothing", f"list {what}")
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append(item)
            else:
                self.problem(line_of(value, index), f"{where}: an entry of '{key}' is {describe(item)}, "
                             "not a group of keys", f"write {what}")
        return found

    def period(self, data: dict) -> tuple[int, int]:
        fix = "write the first and the last year of the plan, e.g. period: [2008, 2011]"
        value = data.get("period")
        line = line_of(data, "period")
        if value is None:
            self.problem(line, "'period' is missing", fix)
            return 0, 0
        if not isinstance(value, list) or len(value) != 2:
            self.problem(line, f"period is {describe(value)}: it needs two years, the first and the last", fix)
            return 0, 0
        years = []
        for year in value:
            if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
                self.problem(line, f"period: {describe(year)} is not a year", fix)
                return 0, 0
            years.append(year)
        first, last = years
        if first > last:
            self.problem(line, f"period [{first}, {last}] runs backwards",
                         f"write the first year first: period: [{last}, {first}]")
        return first, last

    def mandate(self, data: dict) -> Mandate:
        where = "mandate"
        entry = self.get(data, "mandate", "the plan", dict, "the texts that cite the resolution which "
                         "adopted the plan, with the keys of reportgen/plan/plans/itu-2008-2011.yaml's mandate")
        if entry is None:
            return Mandate("", "", "", "")
        tables = self.get(entry, "tables", where, dict, "the plan's tables, e.g. {goals: Table 8.1}") or Mapping()
        return Mandate(
            reporting=self.text(entry, "reporting", where, "the sentence saying who instructs the "
                                "Secretary-General to report, and how"),
            references=self.text(entry, "references", where, "the documents the cover cites, as one text"),
            distribution=self.text(entry, "distribution", where, "the sentence of the cover letter saying "
                                   "who instructs the Secretary-General to distribute the report"),
            goals_table=self.text(tables, "goals", "mandate: tables", "where the plan links its objectives "
                                  "to its goals, e.g. Table 8.1", required=bool(tables)),
            circulation=self.text(entry, "circulation", where, "a sentence", required=False),
        )

    def plan(self, data: Any) -> Plan | None:
        if not isinstance(data, dict):
            self.problem(line_of(data) or 1, f"the plan file holds {describe(data)}, not the keys of a plan",
                         "start from a copy of reportgen/plan/plans/itu-2008-2011.yaml")
            return None
        first, last = self.period(data)
        goals = []
        for g in self.entries(data, "goals", "the plan", "the goals, each with code, title and text"):
            code = self.code(g, "a goal")
            where = f"goal {code}"
            goals.append(Goal(code, self.text(g, "title", where, "its short heading"),
                              self.text(g, "text", where, "its full wording")))
        sectors = [self.sector(s) for s in self.entries(
            data, "sectors", "the plan", "the sectors, each with code, name, bureau, bureau_name, mission, "
            "objectives and outputs")]
        notes = self.get(data, "notes", "the plan", list, "a list of texts", required=False) or []
        return Plan(
            id=self.text(data, "id", "the plan", "a short name such as itu-2008-2011"),
            title=self.text(data, "title", "the plan", "the plan's title, e.g. Strategic plan for the Union "
                            "for 2008-2011"),
            source=self.text(data, "source", "the plan", "the document the plan is taken from"),
            first_year=first,
            last_year=last,
            goals=tuple(goals),
            sectors=tuple(sectors),
            notes=tuple(" ".join(str(n).split()) for n in notes),
            mandate=self.mandate(data),
            path=Path(self.source),
        )

    def sector(self, s: Mapping) -> Sector:
        code = self.code(s, "a sector")
        where = f"sector {code}"
        objectives = []
        for o in self.entries(s, "objectives", where, "the sector's objectives, each with code, number, title, "
                                              "text and goals"):
            ocode = self.code(o, f"an objective of sector {code}")
            owhere = f"objective {ocode}"
            number = self.get(o, "number", owhere, int, "its number within the sector, e.g. 1")
            objectives.append(Objective(
                code=ocode, sector=code, number=number or 0,
                title=self.text(o, "title", owhere, "its short heading"),
                text=self.text(o, "text", owhere, "its full wording"),
                goals=self.codes(o, "goals", owhere, "the codes of the goals it serves, e.g. [G1, G3]")))
        outputs = []
        for o in self.entries(s, "outputs", where, "the sector's outputs, each with code, name and objectives"):
            ocode = self.code(o, f"an output of sector {code}")
            owhere = f"output {ocode}"
            high = self.get(o, "high_priority", owhere, bool, "true or false", required=False)
            outputs.append(Output(
                code=ocode, sector=code,
                name=self.text(o, "name", owhere, "its name as printed in the plan"),
                objectives=self.codes(o, "objectives", owhere,
                                      "the codes of the objectives it serves, e.g. [R1]"),
                high_priority=bool(high)))
        return Sector(
            code=code,
            name=self.text(s, "name", where, "the sector's name"),
            bureau=self.text(s, "bureau", where, "the code of its bureau, e.g. BR"),
            bureau_name=self.text(s, "bureau_name", where, "its bureau's name"),
            mission=self.text(s, "mission", where, "the sector's mission text"),
            priorities=self.text(s, "priorities", where, "a sentence naming its high-priority outputs",
                                 required=False),
            objectives=tuple(objectives),
            outputs=tuple(outputs),
        )


def _check(plan: Plan, expected: Any, reader: _Reader) -> list[ConfigProblem]:
    """The plan's consistency: unique codes, names and bureaux; every link resolves; every
    objective serves a goal and is served by an output; the counts the plan states."""
    faults: list[ConfigProblem] = []

    def fault(code: str | None, message: str, fix: str = "", line: int | None = None) -> None:
        faults.append(ConfigProblem(reader.source, line or reader.lines.get(code or ""), message, fix))

    for code, line in reader.repeated:
        fault(None, f"code {code} is used twice", "give each goal, sector, objective and output its own code", line)
    for sector in plan.sectors:
        names: dict[str, Output] = {}
        for output in sector.outputs:
            key = fold(output.name)
            if key in names:
                fault(output.code, f"output name {key!r} is used twice in sector {sector.code}",
                      f"outputs {names[key].code} and {output.code} need different names")
            names.setdefault(key, output)
    bureaux: dict[str, str] = {}
    for sector in plan.sectors:
        if sector.bureau in bureaux:
            fault(sector.code, f"bureau {sector.bureau} is used twice",
                  f"sectors {bureaux[sector.bureau]} and {sector.code} need different bureaux")
        bureaux.setdefault(sector.bureau, sector.code)
    goal_codes = {g.code for g in plan.goals}
    for sector in plan.sectors:
        objective_codes = {o.code for o in sector.objectives}
        for objective in sector.objectives:
            for g in objective.goals:
                if g not in goal_codes:
                    fault(objective.code, f"objective {objective.code} links to unknown goal {g}",
                          f"use one of {', '.join(sorted(goal_codes))}")
            if not objective.goals:
                fault(objective.code, f"objective {objective.code} serves no goal", "list the goals it serves")
        for output in sector.outputs:
            for o in output.objectives:
                if o not in objective_codes:
                    fault(output.code, f"output {output.code} links to {o}, which is not an objective of "
                          f"sector {sector.code}", f"use one of {', '.join(sorted(objective_codes))}")
            if not output.objectives:
                fault(output.code, f"output {output.code} serves no objective", "list the objectives it serves")
        served = {o for out in sector.outputs for o in out.objectives}
        for o in sorted(objective_codes - served):
            fault(o, f"objective {o} has no output", "link at least one output of the sector to it")
    if expected is not None:
        faults += _check_counts(plan, expected, reader)
    return faults


def _check_counts(plan: Plan, expected: Any, reader: _Reader) -> list[ConfigProblem]:
    """`expected_counts` (goals: n, objectives: {sector: n}, outputs: {sector: n}) against the plan."""
    faults: list[ConfigProblem] = []
    fix = "write e.g. expected_counts: {goals: 7, objectives: {R: 5}, outputs: {R: 12}}"
    if not isinstance(expected, dict):
        return [ConfigProblem(reader.source, line_of(expected), f"expected_counts is {describe(expected)}", fix)]
    sectors = {s.code: s for s in plan.sectors}
    for kind in ("objectives", "outputs"):
        counts = expected.get(kind, {})
        if not isinstance(counts, dict):
            faults.append(ConfigProblem(reader.source, line_of(expected, kind),
                                        f"expected_counts: {kind} is {describe(counts)}", fix))
            continue
        for sector_code, count in counts.items():
            line = line_of(counts, sector_code)
            if isinstance(count, bool) or not isinstance(count, int):
                faults.append(ConfigProblem(reader.source, line, f"expected_counts: {kind} of {sector_code} "
                                            f"is {describe(count)}, not a count", fix))
                continue
            sector = sectors.get(sector_code)
            actual = len(getattr(sector, kind)) if sector else 0
            if actual != count:
                faults.append(ConfigProblem(reader.source, line, f"sector {sector_code} has {actual} {kind}, "
                                            f"the plan says {count}", f"add or remove {kind}, or correct the count"))
    if "goals" in expected:
        count = expected["goals"]
        if isinstance(count, bool) or not isinstance(count, int):
            faults.append(ConfigProblem(reader.source, line_of(expected, "goals"),
                                        f"expected_counts: goals is {describe(count)}, not a count", fix))
        elif len(plan.goals) != count:
            faults.append(ConfigProblem(reader.source, line_of(expected, "goals"),
                                        f"the plan has {len(plan.goals)} goals, it says {count}",
                                        "add or remove goals, or correct the count"))
    return faults


# -- the plan in other languages -------------------------------------------------------------
# A language file beside the plan file, `<plan file name>.<lang>.yaml`, gives the plan's texts in
# that language: title, goals {code: {title, text}}, sectors {code: {name, bureau_name, mission,
# priorities}}, objectives {code: {title, text}}, outputs {code: name}, and mandate {reporting,
# references: [...], distribution, circulation, tables: {goals}}. `review: true` (file-wide or
# per entry) marks texts that are our translation, awaiting review against the official version.

_SECTIONS = ("goals", "sectors", "objectives", "outputs", "mandate")


def language_path(plan: Plan, lang: str) -> Path:
    """Where the texts of `plan` in `lang` are: beside the plan file."""
    base = plan.path if plan.path is not None else plan_path(plan.id)
    return base.with_name(f"{base.stem}.{lang}.yaml")


def _language_file(plan: Plan, lang: str) -> dict[str, Any]:
    path = language_path(plan, lang)
    if lang == "en" or not path.is_file():
        return {}
    from reportgen.util.yamlfile import read_mapping

    data = read_mapping(path, "plan translation", PlanFileError)
    problems = [ConfigProblem(str(path), line_of(data, section), f"'{section}' is {describe(data[section])}",
                              f"write '{section}:' followed by indented entries, as in the English plan file")
                for section in _SECTIONS if data.get(section) is not None and not isinstance(data[section], dict)]
    if problems:
        raise PlanFileError(problems, "cannot read plan translation")
    return data


def _plan_entries(plan: Plan) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every translatable entry: key → (section of the language file, fields)."""
    entries: dict[str, tuple[str, tuple[str, ...]]] = {"title": ("", ("title",))}
    entries |= {g.code: ("goals", ("title", "text")) for g in plan.goals}
    entries |= {s.code: ("sectors", ("name", "bureau_name", "mission")) for s in plan.sectors}
    entries |= {o.code: ("objectives", ("title", "text")) for o in plan.objectives}
    entries |= {o.code: ("outputs", ()) for o in plan.outputs}
    return entries


def _mandate_complete(plan: Plan, value: Any) -> bool:
    """Whether a language file's `mandate` has every text the English mandate has."""
    if not isinstance(value, dict):
        return False
    english = plan.mandate
    tables = value.get("tables")
    given = {**value, "goals_table": tables.get("goals") if isinstance(tables, dict) else None}
    wanted = [("reporting", english.reporting), ("references", english.references),
              ("distribution", english.distribution), ("circulation", english.circulation),
              ("goals_table", english.goals_table)]
    return all(not text or isinstance(given.get(key), str) and given[key].strip() for key, text in wanted)


def translation_gaps(plan: Plan, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes with no text in `lang`, codes whose text awaits review) for `i18n check`; the
    mandate counts as the entry 'mandate'."""
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
    mandate = data.get("mandate")
    if not _mandate_complete(plan, mandate):
        missing.append("mandate")
    elif mandate.get("review", file_review):
        review.append("mandate")
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

    def usable(value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())

    def text_of(section: str, code: str, name: str, default: str) -> str:
        value = (data.get(section) or {}).get(code)
        if section == "outputs":
            value = value.get("name") if isinstance(value, dict) else value
            return squash(value) if usable(value) else default
        found = value.get(name) if isinstance(value, dict) else None
        return squash(found) if usable(found) else default

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
    title = data.get("title")
    return replace(plan, title=squash(title) if usable(title) else plan.title, goals=goals,
                   sectors=tuple(sectors), mandate=_localise_mandate(plan.mandate, data.get("mandate"), squash))


def _localise_mandate(english: Mandate, texts: Any, squash: Any) -> Mandate:
    """The mandate in another language: each text the language file gives, else the English one."""
    if not isinstance(texts, dict):
        return english

    def text(key: str, default: str) -> str:
        value = texts.get(key)
        return squash(value) if isinstance(value, str) and value.strip() else default

    tables = texts.get("tables") if isinstance(texts.get("tables"), dict) else {}
    goals_table = tables.get("goals")
    usable = isinstance(goals_table, str) and goals_table.strip()
    return Mandate(
        reporting=text("reporting", english.reporting),
        references=text("references", english.references),
        distribution=text("distribution", english.distribution),
        goals_table=squash(goals_table) if usable else english.goals_table,
        circulation=text("circulation", english.circulation),
    )
