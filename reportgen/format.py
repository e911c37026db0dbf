"""THE statement of the workbook format (contract sections 2 and 8): the sheets of a return, their
columns (header, type, required or not, drop-down values, the help the template shows), and the
statuses and severities as enums.

Every module that reads, checks, writes or describes a return reads it from here: ingest (which
sheets to read), validate (known and required columns, choices, number bounds, text lengths),
the Bureau template (headers, widths, notes, drop-downs, number checks), the feedback copy, the
data workbook and the report's JSON (the fields a row carries), the test helpers and the sample
generator. A new column is one `Column(...)` line in its sheet below; validate then knows it,
the template shows it, and the tests' workbooks carry it. Only what the column *means* (how a
value is checked beyond its type, and where the report uses it) is code elsewhere.

This module is at the bottom of the package: it imports nothing of reportgen but a text helper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from reportgen.util.text import header_key


class Status(StrEnum):
    """A KPI's status (contract section 3), in the order the report lists them."""

    ACHIEVED = "achieved"
    PARTIALLY_ACHIEVED = "partially achieved"
    NOT_ACHIEVED = "not achieved"
    NOT_REPORTED = "not reported"


class Severity(StrEnum):
    """A problem's severity: an error leaves its row out of the figures, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


STATUSES: tuple[Status, ...] = tuple(Status)

# The contract's version that this format states (section 8 added the columns marked since=2).
CONTRACT_VERSION = 2


class ColumnType(StrEnum):
    """What a cell holds, which decides how validate reads it and how the template guards it."""

    TEXT = "text"  # free text, shown in the report as plain text
    NUMBER = "number"  # a numeric cell or text such as 1,250 / 1 250 / 85%
    CODE = "code"  # a plan code (goal, objective or output), or an output's name
    CHOICE = "choice"  # one of `choices` (a drop-down in the template)
    DATE = "date"  # a date cell or text written YYYY-MM-DD


class Layout(StrEnum):
    TABLE = "table"  # a header row, one record per row below it
    KEY_VALUE = "key-value"  # rows of a key and its value (About)


DIRECTIONS = ("higher", "lower")
DATA_STATUSES = ("final", "draft", "illustrative")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet (or one key of the About sheet)."""

    header: str  # as documented; matched without regard to case, spaces, _ and -
    type: ColumnType
    field: str  # its name in the entry records, the report's JSON and the data workbook
    required: bool = False
    help: str = ""  # the template's note on the header, and its Instructions line
    choices: tuple[str, ...] = ()  # CHOICE: the drop-down values
    default: str | None = None  # CHOICE: the value an empty cell means
    many: bool = False  # CODE: several codes, separated by commas
    minimum: float | None = None  # NUMBER: the smallest value allowed
    max_length: int | None = None  # TEXT: longer is cut, with a warning (the page must hold it)
    width: int = 12  # the template's column width, in characters
    since: int = 1  # the contract version that added it
    in_template: bool = True  # False: read when present, but not offered in the blank return
    key: str = field(init=False)  # header_key(header): what a header in a workbook is matched by

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", header_key(self.header))


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of a return and its columns, in the order the template writes them."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    layout: Layout = Layout.TABLE
    bureaux: tuple[str, ...] = ()  # the bureaux whose returns carry the sheet (empty: all)
    key: str = field(init=False)
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", header_key(self.name))
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})

    def column(self, name: str) -> Column:
        """The column by its field name or header (in any spelling validate accepts)."""
        for column in self.columns:
            if column.field == name:
                return column
        return self.by_key[header_key(name)]

    def headers(self, version: int = CONTRACT_VERSION, template: bool = False) -> tuple[str, ...]:
        """The headers of the columns up to contract `version` (the template's: those it offers)."""
        return tuple(c.header for c in self.columns
                     if c.since <= version and (c.in_template or not template))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


ABOUT = Sheet("About", layout=Layout.KEY_VALUE, columns=(
    Column("Bureau", ColumnType.CODE, "bureau",
           help="The bureau's code: BR, TSB, BDT or GS. Without it, the letters that begin the file name."),
    Column("Year", ColumnType.NUMBER, "year", help="The year the figures are for."),
    Column("Prepared by", ColumnType.TEXT, "prepared_by", max_length=200,
           help="Your unit or your name, e.g. Strategic Planning Unit."),
    Column("Date", ColumnType.DATE, "date", help="The date you completed the return, e.g. 2010-01-15."),
    Column("Data status", ColumnType.CHOICE, "data_status", choices=DATA_STATUSES, default="final",
           help="final for real figures; illustrative only for sample data."),
    Column("Language", ColumnType.TEXT, "language", max_length=20, in_template=False,
           help="The language the texts are written in (en, fr, es, ar, zh, ru)."),
))

KPIS = Sheet("KPIs", required=True, columns=(
    Column("Output", ColumnType.CODE, "output", required=True, width=11,
           help="Required. The output code, chosen from the drop-down list (the names are on the "
                "Outputs sheet). Only outputs of your own sector."),
    Column("KPI", ColumnType.TEXT, "kpi", required=True, width=48, max_length=300,
           help="Required. The indicator's name, e.g. 'Space notices processed'. Keep last year's "
                "wording so the years line up; each name once per output."),
    Column("Unit", ColumnType.TEXT, "unit", width=11, max_length=60,
           help="Optional. What the numbers count: choose a listed unit (number, %, days, weeks, "
                "months, thousand CHF...), which the report translates itself; other text is allowed."),
    Column("Baseline", ColumnType.NUMBER, "baseline", width=11,
           help="Optional. The starting value (pre-filled with last year's actual). A number."),
    Column("Target", ColumnType.NUMBER, "target", required=True, width=11,
           help="Required. This year's target. A number."),
    Column("Actual", ColumnType.NUMBER, "actual", width=11,
           help="This year's result. A number; leave empty if not yet known (it is then shown as "
                "'not reported')."),
    Column("Direction", ColumnType.CHOICE, "direction", choices=DIRECTIONS, default="higher", width=11,
           help="higher (default) or lower: which way is better. 'lower' for things like "
                "processing times or backlogs."),
    Column("Comment", ColumnType.TEXT, "comment", width=48, max_length=1500,
           help="Optional. A short explanation, shown in the report as plain text."),
    Column("Objective", ColumnType.CODE, "objectives", many=True, width=14, since=2,
           help="Optional. The code(s) of the objective(s) this KPI measures, separated by commas, "
                "each one of the output's objectives (see the Outputs sheet). Empty: all of them."),
))

FINANCE = Sheet("Finance", columns=(
    Column("Output", ColumnType.CODE, "output", required=True, width=11,
           help="The output code (names on the Outputs sheet). One row per output."),
    Column("Budget", ColumnType.NUMBER, "budget", minimum=0, width=16,
           help="The year's budget for the output, in thousands of CHF."),
    Column("Expenditure", ColumnType.NUMBER, "expenditure", minimum=0, width=16,
           help="The year's expenditure for the output, in thousands of CHF."),
))

PROPOSALS = Sheet("Proposals", columns=(
    Column("Source", ColumnType.TEXT, "body", width=14, max_length=120,
           help="Who made the proposal: RAG, TSAG, TDAG, WRC-07, Council 2009..."),
    Column("Refers to", ColumnType.CODE, "refers_to", width=14,
           help="A goal (G1-G7), objective or output code, or empty for the plan as a whole."),
    Column("Proposal", ColumnType.TEXT, "text", required=True, width=90, max_length=3000,
           help="Required. The proposal's text."),
    Column("Ref", ColumnType.TEXT, "ref", width=18, max_length=120, since=2,
           help="Optional. The group's or conference's own reference, e.g. TSAG-2009/3 or "
                "Res. 76 (WTSA-08); each reference once a year."),
))

HIGHLIGHTS = Sheet("Highlights", columns=(
    Column("Refers to", ColumnType.CODE, "refers_to", width=14,
           help="A goal (G1-G7), objective or output code, or empty for the sector as a whole."),
    Column("Text", ColumnType.TEXT, "text", required=True, width=100, max_length=3000,
           help="Required. One highlight of the year, one or two sentences."),
))

# The Union's financial situation, in the General Secretariat's return (Resolution 71 asks for
# recommendations in its light): fixed items, thousands of CHF, for the return's year.
FINANCIAL_ITEMS = ("Assessed contributions billed", "Assessed contributions received", "Arrears",
                   "Reserve Account balance", "Cost-recovery income", "Extra-budgetary funds")

FINANCIAL_SITUATION = Sheet("Financial situation", bureaux=("GS",), columns=(
    Column("Item", ColumnType.CHOICE, "item", required=True, choices=FINANCIAL_ITEMS, width=34, since=2,
           help="Required. One of the fixed items, chosen from the drop-down list; each item once."),
    Column("Amount", ColumnType.NUMBER, "amount", required=True, minimum=0, width=16, since=2,
           help="Required. The item's amount for the year, in thousands of CHF."),
))

SHEETS: tuple[Sheet, ...] = (ABOUT, KPIS, FINANCE, PROPOSALS, HIGHLIGHTS, FINANCIAL_SITUATION)
SHEET_NAMES: tuple[str, ...] = tuple(s.name for s in SHEETS)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}
DATA_SHEETS: tuple[Sheet, ...] = tuple(s for s in SHEETS if s.layout is Layout.TABLE)
# Sheets of the blank return and of the feedback copy that hold guidance, not data: validate
# passes over them without a word.
GUIDANCE_SHEETS = ("Instructions", "Outputs", "Problems")
