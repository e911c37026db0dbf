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
from reportgen.settings import DocumentSettings, Thresholds

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


def problem_order(p: Problem) -> tuple:
    """Problems as the annex and `validate` list them: by file, sheet, row and column."""
    return (p.file is not None, p.file or "", p.sheet or "", p.row or 0, p.column or "")


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
class FinancialItem:
    """One line of the General Secretariat's Financial situation sheet (thousands of CHF)."""

    item: str  # one of format.FINANCIAL_ITEMS
    amount: float
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
    financial: tuple[FinancialItem, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    year: int
    target: float | None
    actual: float | None
    status: Status
    achievement: float | None = None


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


# Language-neutral text. A sentence of the report that the pipeline writes (a finding, a
# proposed change, a draft decision) is kept as its catalogue message and its values, and put
# into words once per language by `reportgen.render.locale.Locale.text`. The value types say how
# a value is written: a share as a percentage, an amount in thousands of CHF, a plan code as
# the output's or objective's name in the report's language.


@dataclass(frozen=True, slots=True)
class Percent:
    value: float


@dataclass(frozen=True, slots=True)
class Amount:
    """Thousands of CHF, written as a whole number."""

    value: float


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class PlanName:
    """An output's name, an objective's or goal's title, or a Bureau's name, by its code."""

    code: str


@dataclass(frozen=True, slots=True)
class BureauName:
    code: str


@dataclass(frozen=True, slots=True)
class TextList:
    """Texts joined as a list in a sentence: "A, B and C"."""

    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence in no language yet: its English catalogue message with {placeholders}, and
    the values that fill them (str, int years, or the value types above, or another Text)."""

    message: str
    values: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None  # the plural message: the value `n` chooses between them

    @classmethod
    def of(cls, message: str, **values: Any) -> "Text":
        return cls(message, tuple(values.items()))

    @classmethod
    def count(cls, singular: str, plural: str, n: int, **values: Any) -> "Text":
        """A sentence whose form depends on the number `n` (each language's plural rules)."""
        return cls(singular, tuple({"n": n, **values}.items()), plural)


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found on one subject (an output, an objective, a goal or the plan)."""

    rule: str
    subject: str | None
    text: Text
    evidence: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class ProposedChange:
    """A concrete change to the plan, computed from the data (contract 8.4 `proposed_change`).

    kind: "target" (a KPI's target, `kpi`, `current_target` → `proposed_target`), "resources"
    (`amount` thousand CHF moved from `source_output` to `destination_output`), "output" (an
    output or KPI to merge or drop) or "none" (no change, with the reason in `text`)."""

    kind: str
    text: Text
    derivation: Text | None = None
    output: str | None = None
    kpi: str | None = None
    current_target: float | None = None
    proposed_target: float | None = None
    amount: float | None = None
    source_output: str | None = None
    destination_output: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """The Secretary-General's position on an advisory group's proposal or a conference's
    decision (secretariat.yaml `positions`); stance None: still to be stated."""

    proposal: str  # the proposal's Ref, or <file>:<row>
    body: str
    text: str  # the proposal as the advisory group wrote it
    stance: str | None
    reason: str | None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What became of a recommendation of the year before (secretariat.yaml `follow_up`)."""

    previous_id: str
    outcome: str  # adopted | rejected | deferred
    still_holds: bool | None  # for an adopted one: does its finding still hold this year?
    text: Text


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommendation per subject: every finding on it, ranked, with a concrete change."""

    id: str  # <YEAR>-<subject code>, stable across years
    subject: str | None  # an output, objective or goal code; None for the plan as a whole
    rule: str  # the main finding's rule
    priority: int  # 1 first
    priority_reasons: Text
    findings: tuple[Finding, ...]
    changes: tuple[ProposedChange, ...]
    positions: tuple[Position, ...] = ()
    follow_up: FollowUp | None = None
    answered_by_proposal: bool = False  # a proposal on the same subject answers the findings
    related: tuple[str, ...] = ()  # ids of recommendations on the subject's outputs or objective

    @property
    def refers_to(self) -> str | None:
        return self.subject

    @property
    def evidence(self) -> tuple[Source, ...]:
        return tuple(dict.fromkeys(e for f in self.findings for e in f.evidence))


@dataclass(frozen=True, slots=True)
class Decision:
    """A draft decision put to the Council, naming the recommendations it covers."""

    text: Text
    recommendations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DataRequest:
    """A `missing-data` finding, addressed to a Bureau rather than to the Council."""

    bureau: str
    refers_to: str | None
    text: Text
    evidence: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class CycleExemption:
    """An output tied to a conference that was not due this year: its underspend is expected."""

    output: str
    event: str
    next_year: int | None
    execution: float | None


@dataclass(frozen=True, slots=True)
class FinancialLine:
    """One item of the Union's financial situation, this year and the year before (thousands of CHF)."""

    item: str
    amount: float | None
    previous: float | None
    source: Source | None


@dataclass(frozen=True, slots=True)
class Advice:
    """Everything chapter 7 says: the recommendations ranked, the draft decisions, the data
    requests, last year's follow-up and what the conference cycle explains."""

    recommendations: tuple[Recommendation, ...] = ()
    decisions: tuple[Decision, ...] = ()
    data_requests: tuple[DataRequest, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    exemptions: tuple[CycleExemption, ...] = ()
    environment: tuple[str, ...] = ()
    financial_situation: tuple[FinancialLine, ...] = ()
    received_share: float | None = None  # assessed contributions received ÷ billed, when both are given


@dataclass(frozen=True, slots=True)
class ObjectiveStanding:
    """How one objective's reported KPIs did: the share achieved, for the summary's strongest
    and weakest objectives."""

    code: str
    achieved: int
    reported: int

    @property
    def share(self) -> float:
        return self.achieved / self.reported if self.reported else 0.0


@dataclass(frozen=True, slots=True)
class Headline:
    """What the cover and the summary say first: the plan's status this year and the year
    before, budget execution and its change, the strongest and weakest objectives."""

    status_counts: StatusCounts
    previous_year: int | None
    previous_counts: StatusCounts | None
    execution: float | None
    previous_execution: float | None
    strongest: tuple[ObjectiveStanding, ...]
    weakest: tuple[ObjectiveStanding, ...]

    @property
    def with_result(self) -> int:
        return sum(n for status, n in self.status_counts.items() if status != "not reported")

    @property
    def total(self) -> int:
        return sum(self.status_counts.values())


@dataclass(frozen=True, slots=True)
class Location:
    """Where a row of a return shows in the report: a KPI's row or an output's money in the
    table of its Sector's outputs ("Table 2.2, R-03, KPI 2"), and the HTML anchor to link to."""

    table: str
    output: str
    position: int | None  # the KPI's place among its output's KPIs (1-based); None: the output's money
    anchor: str


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
    advice: Advice
    locations: dict[Source, Location]
    headline: Headline
    proposals: tuple[ProposalEntry, ...]
    problems: tuple[Problem, ...]
    status_counts: StatusCounts
    budget: float
    expenditure: float
    execution: float | None
    earlier_years: tuple[int, ...] = field(default=())
    document: DocumentSettings = field(default_factory=DocumentSettings)
    thresholds: Thresholds = field(default_factory=Thresholds)
