"""The General Secretariat's own inputs for a year: `inputs/<YEAR>/secretariat.yaml` (contract
8.3), and the conference calendar that ships beside the plan file.

secretariat.yaml is checked like a return: every problem is a `Problem` naming the file and the
line, saying how to fix it, and the rest of the file is still used. The keys:
  positions:    {<proposal Ref>: {stance: support | support-with-changes | not-supported | noted, reason: …}}
  follow_up:    {<id of a recommendation of the year before>: adopted | rejected | deferred}
  environment:  [paragraph, …]  (changes in the telecommunication/ICT environment)
  conferences:  {<NAME>: <YEAR>}  (overrides the calendar's next occurrence)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.format import Severity
from reportgen.model import Problem

log = logging.getLogger(__name__)

FILE_NAME = "secretariat.yaml"
STANCES = ("support", "support-with-changes", "not-supported", "noted")
OUTCOMES = ("adopted", "rejected", "deferred")
KEYS = ("positions", "follow_up", "environment", "conferences")


@dataclass(frozen=True, slots=True)
class Stance:
    stance: str
    reason: str | None
    line: int


@dataclass(frozen=True)
class SecretariatInputs:
    positions: dict[str, Stance] = field(default_factory=dict)
    follow_up: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (outcome, line)
    environment: tuple[str, ...] = ()
    conferences: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Calendar:
    """When each conference meets, and which outputs follow which conference."""

    conferences: dict[str, tuple[int, ...]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def event_of(self, output: str) -> str | None:
        return self.outputs.get(output)

    def held(self, event: str, year: int) -> bool:
        return year in self.conferences.get(event, ())

    def next_after(self, event: str, year: int) -> int | None:
        return min((y for y in self.conferences.get(event, ()) if y > year), default=None)

    def with_overrides(self, overrides: dict[str, int]) -> "Calendar":
        conferences = dict(self.conferences)
        for name, year in overrides.items():
            conferences[name] = tuple(sorted(set(conferences.get(name, ())) | {year}))
        return Calendar(conferences, self.outputs)


def _problem(line: int | None, message: str, severity: Severity = Severity.ERROR) -> Problem:
    # The row field carries the line: the annex and `validate` show file:line like any return.
    return Problem(severity, FILE_NAME, None, line, None, message)


def _line(node: Any) -> int:
    return node.start_mark.line + 1


def load_secretariat(year_dir: Path) -> SecretariatInputs:
    """The year's secretariat.yaml, checked; an absent file is no inputs and no problem."""
    path = year_dir / FILE_NAME
    if not path.is_file():
        return SecretariatInputs()
    import yaml

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        return SecretariatInputs(problems=(_problem(None, "the file is not UTF-8 text: save it as UTF-8"),))
    except (OSError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return SecretariatInputs(problems=(_problem(mark.line + 1 if mark else None,
                                                    f"not valid YAML ({getattr(exc, 'problem', exc)}): fix the syntax"),))
    if root is None:
        return SecretariatInputs()
    if not isinstance(root, yaml.MappingNode):
        return SecretariatInputs(problems=(_problem(_line(root), "the file must hold keys (positions, follow_up, "
                                                                 "environment, conferences), not a list or a text"),))
    problems: list[Problem] = []
    positions: dict[str, Stance] = {}
    follow_up: dict[str, tuple[str, int]] = {}
    environment: list[str] = []
    conferences: dict[str, int] = {}
    for key_node, value in root.value:
        key = str(key_node.value)
        if key == "positions":
            positions = _positions(value, problems)
        elif key == "follow_up":
            follow_up = _follow_up(value, problems)
        elif key == "environment":
            environment = _paragraphs(value, problems)
        elif key == "conferences":
            conferences = _conferences(value, problems)
        else:
            problems.append(_problem(_line(key_node), f"unknown key '{key}': use {', '.join(KEYS)}"))
    return SecretariatInputs(positions, follow_up, tuple(environment), conferences, tuple(problems))


def _mapping(node: Any, what: str, problems: list[Problem]) -> list[tuple[Any, Any]]:
    import yaml

    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return []
    if not isinstance(node, yaml.MappingNode):
        problems.append(_problem(_line(node), f"'{what}' must hold keys and values"))
        return []
    return node.value


def _scalar(node: Any) -> str | None:
    import yaml

    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else None


def _positions(node: Any, problems: list[Problem]) -> dict[str, Stance]:
    import yaml

    found: dict[str, Stance] = {}
    for ref_node, value in _mapping(node, "positions", problems):
        ref = str(ref_node.value).strip()
        stance, reason = None, None
        if isinstance(value, yaml.MappingNode):
            for k, v in value.value:
                if k.value == "stance":
                    stance = _scalar(v)
                elif k.value == "reason":
                    reason = _scalar(v)
                else:
                    problems.append(_problem(_line(k), f"position on '{ref}': unknown key '{k.value}' "
                                                       "(use stance and reason)"))
        else:
            stance = _scalar(value)
        if stance not in STANCES:
            problems.append(_problem(_line(value), f"position on '{ref}': unknown stance '{stance}': "
                                                   f"use one of {', '.join(STANCES)}"))
            continue
        found[ref] = Stance(stance, reason or None, _line(ref_node))
    return found


def _follow_up(node: Any, problems: list[Problem]) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for id_node, value in _mapping(node, "follow_up", problems):
        outcome = _scalar(value)
        if outcome not in OUTCOMES:
            problems.append(_problem(_line(value), f"follow-up of '{id_node.value}': unknown outcome '{outcome}': "
                                                   f"use one of {', '.join(OUTCOMES)}"))
            continue
        found[str(id_node.value).strip()] = (outcome, _line(id_node))
    return found


def _paragraphs(node: Any, problems: list[Problem]) -> list[str]:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return [node.value.strip()] if node.value.strip() else []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(_problem(_line(node), "'environment' must be a list of paragraphs"))
        return []
    paragraphs = []
    for item in node.value:
        text = _scalar(item)
        if text is None:
            problems.append(_problem(_line(item), "each paragraph of 'environment' must be a text"))
        elif text:
            paragraphs.append(" ".join(text.split()))
    return paragraphs


def _conferences(node: Any, problems: list[Problem]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name_node, value in _mapping(node, "conferences", problems):
        text = _scalar(value) or ""
        if not (text.isdigit() and 1900 < int(text) < 2100):
            problems.append(_problem(_line(value), f"conference '{name_node.value}': '{text}' is not a year "
                                                   "(write e.g. WRC: 2012)"))
            continue
        found[str(name_node.value).strip()] = int(text)
    return found


def load_calendar(plan_file: Path, output_codes: frozenset[str] | None = None) -> Calendar:
    """The calendar shipped beside the plan file (`<plan>.calendar.yaml`); none: an empty one.
    Raises ConfigError listing every problem with its line; `output_codes` (the plan's) are the
    outputs the calendar may name."""
    path = plan_file.with_name(plan_file.name.removesuffix(".yaml") + ".calendar.yaml")
    if not path.is_file():
        return Calendar()
    from reportgen.errors import ConfigError, ConfigProblem
    from reportgen.util.yamlfile import describe, line_of, read_mapping

    data = read_mapping(path, "conference calendar")
    problems: list[ConfigProblem] = []

    def section(key: str, example: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            problems.append(ConfigProblem(str(path), line_of(data, key), f"'{key}' is {describe(value)}",
                                          f"write one '{example}' per line under '{key}:'"))
            return {}
        return value

    conferences: dict[str, tuple[int, ...]] = {}
    for name, years in section("conferences", "NAME: [YEAR, ...]").items():
        listed = years if isinstance(years, list) else [years]
        if not listed or any(isinstance(y, bool) or not isinstance(y, int) or not 1000 <= y <= 9999 for y in listed):
            problems.append(ConfigProblem(str(path), line_of(data["conferences"], name),
                                          f"conference {name}: {describe(years)} is not a year or a list of years",
                                          "write e.g. WRC: [2007, 2012]"))
            continue
        conferences[str(name)] = tuple(listed)
    outputs: dict[str, str] = {}
    for code, event in section("outputs", "OUTPUT: CONFERENCE").items():
        line = line_of(data["outputs"], code)
        if output_codes is not None and str(code) not in output_codes:
            problems.append(ConfigProblem(str(path), line, f"output {code} is not an output of the plan",
                                          "use an output code of the plan file, e.g. R-01"))
        elif not isinstance(event, str) or event not in conferences:
            problems.append(ConfigProblem(str(path), line, f"output {code} follows {describe(event)}, which is not "
                                          "a conference of this calendar", "name one of its 'conferences'"))
        else:
            outputs[str(code)] = event
    if problems:
        raise ConfigError(problems)
    return Calendar(conferences, outputs)
