"""A plan period's assessment from the command line to the files: its settings in
`inputs/report.yaml` (the financial plan's envelope), the years' returns read and checked, the
assessment computed (`reportgen.pipeline.assess`) and its HTML, PDF and JSON written to
`outputs/<FIRST>-<LAST>/`, all or nothing.

    assessment_run(AssessOptions(period=parse_period("2008-2011")))
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.bureau.xlsxscan import Limits
from reportgen.errors import InputError, ReportgenError
from reportgen.model import YearData
from reportgen.pipeline.assess import Assessment, FinancialPlan, Period, assess, parse_period
from reportgen.plan.loader import Plan
from reportgen.settings import DocumentSettings, Thresholds

log = logging.getLogger(__name__)


# -- settings: the period's financial plan ---------------------------------------------------------

def load_financial_plan(path: Path, period: Period) -> FinancialPlan | None:
    """`financial_plan` of `inputs/report.yaml`, if given for this period:

        financial_plan:
          period: 2008-2011        # optional; another period's plan is not used
          envelope: 520000         # thousands of CHF for the whole period
          sectors: {R: 120000, T: 60000, D: 115000, INT: 225000}   # optional

    Raises ConfigError listing every problem, each with the file's line and how to fix it."""
    from reportgen.errors import ConfigError, ConfigProblem, ProblemCollector
    from reportgen.util.yamlfile import describe, line_of, read_mapping

    if not path.exists():
        return None
    data = read_mapping(path, "report settings file")
    node = data.get("financial_plan")
    if node is None:
        return None
    problems: list[ConfigProblem] = []

    def problem(message: str, fix: str, at: int | None) -> None:
        problems.append(ConfigProblem(str(path), at, message, fix))

    if not isinstance(node, dict):
        problem(f"financial_plan is {describe(node)}", "give its 'envelope' (thousands of CHF) and optionally "
                "'period' and 'sectors'", data.line_of("financial_plan"))
        raise ConfigError(problems)
    for key in node:
        if key not in ("period", "envelope", "sectors"):
            problem(f"unknown key '{key}' in financial_plan", "use period, envelope or sectors", line_of(node, key))
    if "period" in node:
        try:
            if parse_period(str(node["period"])) != period:
                log.info("the financial plan in %s is for %s, not %s: not used", path, node["period"], period.label)
                return None
        except ReportgenError:
            problem(f"financial_plan period is {describe(node['period'])}", "write it as FIRST-LAST, e.g. 2008-2011",
                    line_of(node, "period"))

    def amount(value: Any, what: str, at: int | None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
            problem(f"financial_plan {what} is {describe(value)}, not an amount",
                    "write the amount in thousands of CHF as a number, e.g. 520000", at)
            return 0.0
        return float(value)

    envelope = 0.0
    if "envelope" not in node:
        problem("financial_plan has no 'envelope'", "give the period's total in thousands of CHF, e.g. envelope: 520000",
                data.line_of("financial_plan"))
    else:
        envelope = amount(node["envelope"], "envelope", line_of(node, "envelope"))
    sectors: list[tuple[str, float]] = []
    given = node.get("sectors")
    if given is not None and not isinstance(given, dict):
        problem(f"financial_plan sectors is {describe(given)}", "map sector codes to amounts, e.g. {R: 120000, T: 60000}",
                line_of(node, "sectors"))
    elif given:
        sectors = [(str(code), amount(value, f"sectors {code}", line_of(given, code))) for code, value in given.items()]
    if problems:
        raise ConfigError(problems)
    return FinancialPlan(envelope, tuple(sectors), path.name)


def document_settings(path: Path, document_number: str | None = None, council: str | None = None) -> DocumentSettings:
    """The cover's settings: `council` from `inputs/report.yaml` (checked as for the annual
    report), then the command line's. The file's `document_number`, `date` and `agenda_item`
    are the annual report's: the assessment's number comes from the command line only (else
    DRAFT), its date from the returns (or SOURCE_DATE_EPOCH)."""
    from reportgen.settings import load_document_settings

    loaded = load_document_settings(path, council=council)
    return DocumentSettings(document_number=document_number or "DRAFT", council=loaded.council)


# -- the run: read, compute, render, write ---------------------------------------------------------

@dataclass(frozen=True)
class AssessOptions:
    period: Period
    inputs: Path = Path("inputs")
    outputs: Path = Path("outputs")
    plan_file: Path | None = None
    rules_file: Path | None = None
    limits: Limits = field(default_factory=Limits)
    languages: tuple[str, ...] = ("en",)
    pdf: bool = True
    pdf_variant: str | None = "pdf/ua-1"
    document_number: str | None = None
    council: str | None = None


@dataclass(frozen=True)
class AssessResult:
    assessment: Assessment
    written: tuple[Path, ...]
    stages: dict[str, float]


def read_period(period: Period, inputs: Path, plan: Plan, limits: Limits) -> list[YearData]:
    """The checked returns of every year of `period` that has a folder under `inputs`, each
    year checked against the one before it when that was read (a KPI name spelt differently
    is matched, with a warning)."""
    from reportgen.pipeline.build import read_year

    if not inputs.is_dir():
        raise InputError(f"no inputs folder {inputs}")
    years = []
    earlier = None
    for year in period.years:
        if not (inputs / str(year)).is_dir():
            earlier = None
            continue
        data, _ = read_year(year, inputs, plan, limits, earlier)
        earlier = data
        years.append(data)
    return years


def configuration(options: AssessOptions) -> tuple[Plan, Thresholds, DocumentSettings, FinancialPlan | None]:
    """The plan (and its translations for the languages asked for), the thresholds, the cover's
    settings and the financial plan, checked before any workbook is read: one ConfigError
    lists every problem of every file, each with its line."""
    from reportgen.errors import ConfigError, ConfigProblem, ProblemCollector
    from reportgen.plan.loader import load_plan, localise
    from reportgen.settings import load_thresholds

    collector = ProblemCollector()
    problems, attempt = collector.problems, collector.attempt

    settings = options.inputs / "report.yaml"
    plan = attempt(lambda: load_plan(options.plan_file), None)
    thresholds = attempt(lambda: load_thresholds(options.rules_file), Thresholds())
    document = attempt(lambda: document_settings(settings, options.document_number, options.council),
                       DocumentSettings())
    financial_plan = attempt(lambda: load_financial_plan(settings, options.period), None)
    if plan is not None:
        for lang in options.languages:
            attempt(lambda: localise(plan, lang), plan)
    if problems or plan is None:
        raise ConfigError(problems, f"{len(problems)} problems in the configuration files; nothing was written"
                          if len(problems) > 1 else "")
    return plan, thresholds, document, financial_plan


def assessment_run(options: AssessOptions) -> AssessResult:
    """Read every year of the period, compute the assessment, and write its HTML, PDF and JSON
    (one HTML and PDF per language) to `outputs/<FIRST>-<LAST>/`, all or nothing."""
    import time
    from contextlib import nullcontext

    from reportgen.pipeline import write
    from reportgen.pipeline.build import report_date
    from reportgen.pipeline.workers import PdfPool
    from reportgen.plan.loader import localise
    from reportgen.render import assessment as render
    from reportgen.util.gcpause import collection_paused

    stages: dict[str, float] = {}
    started = time.perf_counter()
    period = options.period
    label = period.label
    plan, thresholds, document, financial_plan = configuration(options)
    if not options.inputs.is_dir():
        raise InputError(f"no inputs folder {options.inputs}")
    pdfs = PdfPool(jobs=len(options.languages)) if options.pdf else None
    with pdfs or nullcontext(), collection_paused():
        years = read_period(period, options.inputs, plan, options.limits)
        if not any(y.returns for y in years):
            raise InputError(f"no returns for any year of {label} under {options.inputs}: put each year's "
                             f"workbooks in {options.inputs}/<YEAR>/")
        stages["read"] = time.perf_counter() - started
        mark = time.perf_counter()
        from reportgen.pipeline import frames  # pandas: after the PDF workers have started

        # Years whose folder holds no readable return still bring their problems to the annex.
        tables = frames.join(plan, years, thresholds)
        everything = YearData(period.last, tuple(r for y in years for r in y.returns), (), (), (), (), ())
        date = report_date(everything, document)
        model = assess(plan, tables, period, thresholds, document.for_language("en"), financial_plan, date)
        stages["analyse"] = time.perf_counter() - mark
        mark = time.perf_counter()
        report = render.assessment_json(model)
        files: dict[str, bytes] = {f"assessment-{label}.json": write.json_bytes(report)}
        attachments = [(f"assessment-{label}.json", files[f"assessment-{label}.json"])]
        pending = {}
        for lang in options.languages:
            local = model if lang == "en" else assess(localise(plan, lang), tables, period, thresholds,
                                                      document.for_language(lang), financial_plan, date)
            suffix = "" if lang == "en" else f"-{lang}"
            if pdfs:
                pending[f"assessment-{label}{suffix}.pdf"] = pdfs.submit(
                    render.render_assessment(local, lang, for_pdf=True), options.pdf_variant, attachments, date)
            files[f"assessment-{label}{suffix}.html"] = render.render_assessment(local, lang).encode("utf-8")
        stages["render html"] = time.perf_counter() - mark
        mark = time.perf_counter()
        for name, future in pending.items():
            files[name] = future.result()
        stages["render pdf"] = time.perf_counter() - mark
    written = write.write_all(options.outputs / label, files)
    stages["total"] = time.perf_counter() - started
    log.info("wrote %s", ", ".join(str(p) for p in written))
    return AssessResult(model, tuple(written), stages)
