"""The pipeline: plan → ingest → validate → analyse → rules → render → write.

`build` reads top to bottom as that list; nothing is written until the whole model exists.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from reportgen.pipeline import analyse

from reportgen.pipeline import ingest

from reportgen.pipeline import rules

from reportgen.pipeline import validate
from reportgen.errors import InputError
from reportgen.util.gcpause import collection_paused
from reportgen.model import Problem, ReportModel, YearData
from reportgen.options import Options
from reportgen.pipeline.workers import PdfPool, start_pdf_workers
from reportgen.i18n.returns import untranslated_summary
from reportgen.plan.loader import Plan, load_plan
from reportgen.settings import DocumentSettings, Thresholds, load_document_settings, load_thresholds

log = logging.getLogger(__name__)


@dataclass
class Timings:
    """Seconds per stage, for `--profile` and the benchmarks."""

    stages: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + seconds

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)


@dataclass(frozen=True)
class BuildResult:
    model: ReportModel
    written: tuple[Path, ...]
    timings: Timings
    notices: tuple[str, ...] = ()  # things the user must know, e.g. an approval made stale
    untranslated: dict[str, int] = field(default_factory=dict)  # language -> the returns' texts left untranslated

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.model.problems)


def read_year(year: int, inputs: Path, plan: Plan, limits: ingest.Limits,
              earlier: YearData | None = None, timings: Timings | None = None) -> tuple[YearData, list[Path]]:
    """Ingest and validate one year's folder. Raises InputError if the folder does not exist."""
    timings = timings or Timings()
    year_dir = inputs / str(year)
    if not year_dir.is_dir():
        raise InputError(f"no folder {year_dir}: put the {year} returns in {year_dir}/")
    from reportgen.pipeline import workers as parallel
    from reportgen.util.progress import Progress

    # Many workbooks are read on every core, with a progress line on a terminal; this process
    # checks each one as it arrives. (The reading workers are forked with garbage collection
    # paused, as here: they keep no object beyond the workbook they send back.) Time spent finding and waiting for workbooks counts as
    # "ingest", the rest as "validate".
    started = time.perf_counter()
    paths, problems = ingest.find_workbooks(year_dir)
    reading = time.perf_counter() - started

    def arriving(results: Iterator[tuple[ingest.Workbook | None, list[Problem]]]) -> Iterator[ingest.Workbook]:
        nonlocal reading
        while True:
            waiting = time.perf_counter()
            try:
                workbook, read_problems = next(results)
            except StopIteration:
                return
            finally:
                reading += time.perf_counter() - waiting
            problems.extend(read_problems)
            if workbook is not None:
                yield workbook

    with Progress(f"Reading the {year} returns", total=len(paths),
                  enabled=None if len(paths) > parallel.SERIAL_MAX_FILES else False) as progress, \
            collection_paused(), \
            closing(parallel.iter_read_workbooks(paths, year_dir, limits, progress=progress)) as results:
        # closing(): if checking fails half-way, the reading workers stop now, not whenever
        # the generator is collected.
        data = validate.validate_year(year, arriving(results), problems, plan, earlier)
    timings.add("ingest", reading)
    timings.add("validate", time.perf_counter() - started - reading)
    return data, paths


def earlier_years(inputs: Path, year: int, plan: Plan) -> list[int]:
    """Year folders under `inputs` before `year`, within the plan period or just before it."""
    found = [int(p.name) for p in inputs.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)]
    return sorted(y for y in found if plan.first_year - 1 <= y < year)


def report_date(current: YearData, document: DocumentSettings) -> str | None:
    """The document's date: set explicitly, else SOURCE_DATE_EPOCH, else the latest return's
    date, so that the same inputs always give the same report (no build clock)."""
    if document.date:
        return document.date[:10]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc).date().isoformat()
    dates = sorted(r.date[:10] for r in current.returns if r.date and re.match(r"\d{4}-\d\d-\d\d", r.date))
    return dates[-1] if dates else None


def assemble(plan: Plan, current: YearData, earlier: list[YearData], thresholds: Thresholds,
             timings: Timings, document: DocumentSettings = DocumentSettings(),
             gettext: Callable[[str], str] | None = None, locale: str = "en") -> ReportModel:
    """Analysis and rules: the whole report model, before anything is written. `plan`, `gettext`
    and `locale` give the language of the plan's texts and of the recommendations."""
    with timings.stage("analyse"):
        kpis = analyse.assess_kpis(plan, current, earlier, thresholds)
        finance = analyse.assess_finance(plan, current.finance)
        sectors, objectives, goals = analyse.roll_up(plan, current, kpis, finance)
        evidence = rules.Evidence(plan, current.year, kpis, finance, objectives, current.proposals, thresholds,
                                  gettext or (lambda text: text), locale)
        recommendations, groups = rules.recommend(evidence)
    budget = sum(s.budget for s in sectors)
    spent = sum(s.expenditure for s in sectors)
    return ReportModel(
        plan=plan,
        year=current.year,
        illustrative=any((r.data_status or "").strip().lower() == "illustrative" for r in current.returns),
        report_date=report_date(current, document),
        returns=current.returns,
        kpis=kpis,
        finance=finance,
        sectors=sectors,
        objectives=objectives,
        goals=goals,
        recommendations=recommendations,
        recommendation_groups=groups,
        proposals=current.proposals,
        problems=tuple(sorted(current.problems, key=_problem_order)),
        status_counts=analyse.count_statuses(kpis),
        budget=budget,
        expenditure=spent,
        execution=spent / budget if budget else None,
        earlier_years=tuple(y.year for y in earlier),
        document=document,
    )


def _problem_order(p: Problem) -> tuple:
    return (p.file is not None, p.file or "", p.sheet or "", p.row or 0, p.column or "")


def load_inputs(year: int, options: Options, timings: Timings) -> tuple[Plan, YearData, list[YearData], list[Path]]:
    with timings.stage("plan"):
        plan = load_plan(options.plan_file)
    if not options.inputs.is_dir():
        raise InputError(f"no inputs folder {options.inputs}")
    earlier: list[YearData] = []
    for earlier_year in earlier_years(options.inputs, year, plan):
        data, _ = read_year(earlier_year, options.inputs, plan, options.limits,
                            earlier[-1] if earlier else None, timings)
        earlier.append(data)
    current, paths = read_year(year, options.inputs, plan, options.limits,
                               earlier[-1] if earlier and earlier[-1].year == year - 1 else None, timings)
    return plan, current, earlier, paths


def charts_of(model: ReportModel, thresholds: Thresholds, gettext: Callable[[str], str] | None = None,
              locale: str = "en") -> dict:
    """The report's SVG charts, with their texts in the report's language."""
    from reportgen.charts.charts import all_charts

    return all_charts(model, thresholds, gettext=gettext, locale=locale)


def language_page(lang: str, plan: Plan, current: YearData, earlier: list[YearData], thresholds: Thresholds,
                  document: DocumentSettings, timings: Timings, pdf: bool = True,
                  texts: object = None) -> tuple[ReportModel, str, str | None]:
    """The model, HTML and PDF's HTML (None if `pdf` is false) of `report-<YEAR>-<lang>`: the same
    figures, with the plan's texts, the fixed texts and the recommendations in `lang`, and the
    Bureaux' texts as `texts` (a ReturnTexts) gives them. Numbering comes from the model, so it is
    the same in every language."""
    from reportgen.i18n import catalogues as i18n
    from reportgen.render import report as render
    from reportgen.plan.loader import localise

    translations = i18n.translations(lang)
    with timings.stage(f"render {lang}"):
        model = assemble(localise(plan, lang), current, earlier, thresholds, Timings(), document.for_language(lang),
                         translations.gettext, lang)
        charts = charts_of(model, thresholds, translations.gettext, lang)
        html = render.render_html(model, charts, lang, translations, texts=texts)
        pdf_html = render.render_html(model, charts, lang, translations, for_pdf=True, texts=texts) if pdf else None
    return model, html, pdf_html


def build(year: int, options: Options, pdfs: PdfPool | None = None) -> BuildResult:
    """Build the report for `year`: read, check, analyse, then render and write every output.

    PDFs are rendered by worker processes (`parallel.PdfPool`), started first so that they load
    WeasyPrint while the returns are read, and fed each language's page as soon as it exists.
    `pdfs` is a pool the caller started earlier still (`parallel.start_pdf_workers`); the build closes it."""
    from contextlib import nullcontext

    from reportgen.render import report as render

    from reportgen.pipeline import write
    from reportgen.util.progress import Progress

    timings = Timings()
    if pdfs is None:
        pdfs = start_pdf_workers(options)
    # Cyclic garbage collection waits for the end of the build (see gcpause).
    with pdfs or nullcontext(), collection_paused():
        plan, current, earlier, paths = load_inputs(year, options, timings)
        if not current.returns:
            reasons = "; ".join(p.line() for p in current.problems if p.severity == "error")[:500]
            raise InputError(f"no readable workbook in {options.inputs / str(year)}"
                             + (f" ({reasons})" if reasons else ""))
        thresholds = load_thresholds(options.rules_file)
        document = load_document_settings(options.inputs / "report.yaml", document_number=options.document_number,
                                          council=options.council)
        model = assemble(plan, current, earlier, thresholds, timings, document.for_language("en"))
        if options.strict and any(p.severity == "error" for p in model.problems):
            return BuildResult(model, (), timings)

        # What the PDF needs first, so that its worker starts as soon as it can.
        with timings.stage("render html"):
            charts = charts_of(model, thresholds)
            pdf_html = render.render_html(model, charts, for_pdf=True) if pdfs else None
            report = render.report_json(model)
        # The Bureaux' texts in each language (translations under inputs/translations/), and
        # what is left untranslated: counted in the JSON (contract 8.6) and on the last line.
        others = [lang for lang in options.languages if lang != "en"]
        texts, notices = _return_texts(options.inputs, others)
        report |= untranslated_summary(model, texts)
        with timings.stage("render data"):
            from reportgen.render.dataworkbook import data_workbook

            files = {f"report-{year}.json": write.json_bytes(report),
                     f"data-{year}.xlsx": data_workbook(model, report)}
        # Every PDF carries the evidence: the JSON and the data workbook as attachments.
        attachments = [(name, files[name]) for name in (f"report-{year}.json", f"data-{year}.xlsx")]
        pending = {}
        if pdfs:
            pending[f"report-{year}.pdf"] = pdfs.submit(pdf_html, options.pdf_variant, attachments, model.report_date)
        with timings.stage("render html"):
            files[f"report-{year}.html"] = render.render_html(model, charts).encode("utf-8")
        for lang in others:
            local, page, pdf_page = language_page(lang, plan, current, earlier, thresholds, document, timings,
                                                  pdf=pdfs is not None, texts=texts[lang])
            files[f"report-{year}-{lang}.html"] = page.encode("utf-8")
            if pdfs:
                pending[f"report-{year}-{lang}.pdf"] = pdfs.submit(pdf_page, options.pdf_variant, attachments,
                                                                   local.report_date)
        with timings.stage("render pdf"), \
                Progress("Rendering the PDFs", total=len(pending), enabled=None if others else False) as progress:
            for name, future in pending.items():  # the wait for the workers
                files[name] = future.result()
                progress.advance()

    with timings.stage("write"):
        out_dir = options.outputs / str(year)
        files["manifest.json"] = write.json_bytes(
            write.manifest(year, options.inputs / str(year), paths, out_dir, files))
        written = write.write_all(out_dir, files)
    log.info("wrote %s", ", ".join(str(p) for p in written))
    from reportgen.publish.approval import warn_if_stale

    stale = warn_if_stale(out_dir, year)
    untranslated = {lang: report["translations"][lang]["untranslated"] for lang in others}
    return BuildResult(model, tuple(written), timings, tuple(notices) + ((stale,) if stale else ()), untranslated)


def _return_texts(inputs: Path, languages: list[str]) -> tuple[dict, list[str]]:
    """The ReturnTexts of each language and the notices of those whose file could not be read."""
    from reportgen.i18n.returns import load_for_build

    texts, notices = {}, []
    for lang in languages:
        texts[lang], notice = load_for_build(inputs, lang)
        if notice:
            notices.append(notice)
    return texts, notices
