"""Everything a build is configured by, loaded and checked before any workbook is read: the
plan, the thresholds (--rules), the cover's settings (inputs/report.yaml) and the conference
calendar. Every problem is collected and reported together, so that a typo in --rules shows up
at once, not after minutes of reading a large year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.options import Options
from reportgen.pipeline.secretariat import Calendar, load_calendar
from reportgen.plan.loader import Plan, load_plan, plan_path
from reportgen.settings import DocumentSettings, Thresholds, load_document_settings, load_thresholds


class ConfigurationError(ReportgenError):
    """One or more configuration files are wrong; the message lists every problem."""


@dataclass(frozen=True)
class Configuration:
    plan: Plan
    thresholds: Thresholds
    document: DocumentSettings
    calendar: Calendar


def load_configuration(options: Options) -> Configuration:
    """The build's configuration, or one ConfigurationError listing every problem found."""
    problems: list[str] = []

    def attempt(load, default):
        try:
            return load()
        except ReportgenError as exc:
            problems.append(str(exc))
            return default

    plan = attempt(lambda: load_plan(options.plan_file), None)
    thresholds = attempt(lambda: load_thresholds(options.rules_file), Thresholds())
    document = attempt(lambda: load_document_settings(options.inputs / "report.yaml",
                                                      document_number=options.document_number,
                                                      council=options.council), DocumentSettings())
    if problems or plan is None:
        raise ConfigurationError("; ".join(problems) if len(problems) > 1 else problems[0])
    calendar = load_calendar(Path(options.plan_file) if options.plan_file else plan_path())
    return Configuration(plan, thresholds, document, calendar)
