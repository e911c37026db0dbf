"""Everything a build is configured by, loaded and checked before any workbook is read: the
plan, the thresholds (--rules), the cover's settings (inputs/report.yaml) and the conference
calendar. Every problem of every file is collected and reported together, each as
`file:line: message (fix)`, so that a typo in --rules shows up at once, not after minutes of
reading a large year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ConfigError, ProblemCollector
from reportgen.options import Options
from reportgen.pipeline.secretariat import Calendar, load_calendar
from reportgen.plan.loader import Plan, load_plan, localise, plan_path
from reportgen.settings import DocumentSettings, Thresholds, load_document_settings, load_thresholds

class ConfigurationError(ConfigError):
    """One or more configuration files are wrong; the message lists every problem, each with
    its file and line."""


@dataclass(frozen=True)
class Configuration:
    plan: Plan
    thresholds: Thresholds
    document: DocumentSettings
    calendar: Calendar


def load_configuration(options: Options) -> Configuration:
    """The build's configuration, or one ConfigurationError listing every problem found in the
    plan file (and its translations for the languages asked for), the rules file, report.yaml
    and the conference calendar."""
    collector = ProblemCollector()
    problems, attempt = collector.problems, collector.attempt

    plan = attempt(lambda: load_plan(options.plan_file), None)
    thresholds = attempt(lambda: load_thresholds(options.rules_file), Thresholds())
    document = attempt(lambda: load_document_settings(options.inputs / "report.yaml",
                                                      document_number=options.document_number,
                                                      council=options.council), DocumentSettings())
    calendar = Calendar()
    if plan is not None:
        for lang in options.languages:  # a broken translation shows now, not after the reading
            attempt(lambda: localise(plan, lang), plan)
        calendar = attempt(lambda: load_calendar(Path(options.plan_file) if options.plan_file else plan_path(),
                                                 frozenset(o.code for o in plan.outputs)), Calendar())
    if problems or plan is None:
        raise ConfigurationError(problems)
    return Configuration(plan, thresholds, document, calendar)
