"""The records every stage passes on, and the report model the templates show.

All records are frozen: a stage builds new ones rather than changing what it was given, and
the whole model exists before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportgen.format import STATUSES, Severity, Status  # noqa: F401  (STATUSES: read from here too)
from reportgen.plan.loader import Goal, Objective, Output, Plan, Sector
from reportgen.settings import DocumentSettings

# Characters that would break a line of text output or turn it around: control characters
# (a newline in a file name), line and paragraph separators, and bidi overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """`text` on one line: control characters and bidi overrides written as escapes (\\n, \\u202e)."""
    return text if text.isprintable() else _UNPRINTABLE.sub(_escaped, text)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a row stands: file relative to the year folder, sheet, Excel's 1-based row."""

    file: str
    sheet: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row}

    def label(self) -> str:
        return ":".join(str(p) for p in (self.file, self.sheet, self.row) if p is not None)


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    cell: str | None = None  # Excel reference such as "E7", where one cell is at fault
    bureau: str | None = None  # for problems of a whole return (no file), e.g. a missing output

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "cell": self.cell,
            "bureau": self.bureau,
        }

    def line(self) -> str:
        """The contract's text form: file:sheet:row:column: severity: message, always one line:
        a newline in a file name or a message is written as \\n, never as a line of its own."""
        where = ":".join("" if p is None else str(p) for p in (self.file, self.sheet, self.row, self.column))
        return printable(f"{where}: {self.severity}: {self.message}")


@dataclass(frozen=True, slots=True)
class KPIEntry:
    """A valid KPIs row, with its output resolved to a plan code."""

    bureau: str
    sector: str
    output: str
    kpi: str
    unit: str | None
    baseline: float | None
    target: float
    actual: float | None
    direction: str
    comment: str | None
    source: Source
    language: str | None = None
    # The objectives the KPI measures (contract 8.1), as validated; empty: all of its output's.
    objectives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FinanceEntry:
    bureau: str
    output: str
    budget: float | None
    expenditure: float | None
    source: Source


@dataclass(frozen=True, slots=True)
class ProposalEntry:
    bureau: str
    body: str  # who proposed it: RAG, TSAG, WRC-07, ...
    refers_to: str | None  # a plan code, or None for the plan as a whole
    text: str
    source: Source
    ref: str | None = None  # the group's own reference (contract 8.2), unique within a year


@dataclass(frozen=True, slots=True)
class HighlightEntry:
    bureau: str
    refers_to: str | None
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class ReturnInfo:
    """What the About sheet (or the file name) says of one workbook."""

    file: str
    bureau: str
    prepared_by: str | None
    date: str | None
    data_status: str | None
    language: str | None


@dataclass(frozen=True)
class YearData:
    """One year's validated returns."""

    year: int
    returns: tuple[ReturnInfo, ...]
    kpis: tuple[KPIEntry, ...]
    finance: tuple[FinanceEntry, ...]
    proposals: tuple[ProposalEntry, ...]
    highlights: tuple[HighlightEntry, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    year: int
    target: float | None
    actual: float | None
    status: Status


@dataclass(frozen=True, slots=True)
class KPIResult:
    entry: KPIEntry
    achievement: float | None
    status: Status
    objectives: tuple[str, ...]
    goals: tuple[str, ...]
    history: tuple[HistoryPoint, ...]  # earlier years, oldest first


@dataclass(frozen=True, slots=True)
class FinanceResult:
    output: str
    budget: float | None
    expenditure: float | None
    execution: float | None
    source: Source


StatusCounts = dict[str, int]


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    objective: Objective
    status_counts: StatusCounts
    budget: float
    expenditure: float
    execution: float | None


@dataclass(frozen=True, slots=True)
class GoalResult:
    goal: Goal
    objectives: tuple[str, ...]
    status_counts: StatusCounts


@dataclass(frozen=True, slots=True)
class OutputResult:
    output: Output
    kpis: tuple[KPIResult, ...]
    finance: FinanceResult | None
    status_counts: StatusCounts
    highlights: tuple[HighlightEntry, ...]


@dataclass(frozen=True, slots=True)
class SectorResult:
    sector: Sector
    returned: bool  # whether any workbook came from its bureau
    objectives: tuple[ObjectiveResult, ...]
    outputs: tuple[OutputResult, ...]
    status_counts: StatusCounts
    budget: float
    expenditure: float
    execution: float | None
    highlights: tuple[HighlightEntry, ...]


@dataclass(frozen=True, slots=True)
class Recommendation:
    id: str
    rule: str
    refers_to: str | None
    objective: str | None  # the objective it is grouped under in the report
    text: str
    evidence: tuple[Source, ...]
    body: str | None = None  # for proposals: who proposed it


@dataclass(frozen=True, slots=True)
class RecommendationGroup:
    title: str
    objective: Objective | None
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class ReportModel:
    plan: Plan
    year: int
    illustrative: bool
    report_date: str | None
    returns: tuple[ReturnInfo, ...]
    kpis: tuple[KPIResult, ...]
    finance: tuple[FinanceResult, ...]
    sectors: tuple[SectorResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    goals: tuple[GoalResult, ...]
    recommendations: tuple[Recommendation, ...]
    recommendation_groups: tuple[RecommendationGroup, ...]
    proposals: tuple[ProposalEntry, ...]
    problems: tuple[Problem, ...]
    status_counts: StatusCounts
    budget: float
    expenditure: float
    execution: float | None
    earlier_years: tuple[int, ...] = field(default=())
    document: DocumentSettings = field(default_factory=DocumentSettings)
