"""The pipeline: configuration → read → assemble → render → write.

`build` reads top to bottom as that list. The model is computed once, in no language; each
language is a rendering of it. Nothing is written until every output exists.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from reportgen.errors import InputError
from reportgen.format import Severity
from reportgen.model import Problem, ReportModel, YearData
from reportgen.options import Options, source_date
from reportgen.pipeline import ingest, validate
from reportgen.pipeline.configuration import Configuration, load_configuration
from reportgen.pipeline.secretariat import SecretariatInputs, load_secretariat
from reportgen.pipeline.workers import PdfPool, start_pdf_workers
from reportgen.i18n.returns import texts_of_model
from reportgen.plan.loader import Plan
from reportgen.settings import DocumentSettings
from reportgen.util.gcpause import collection_paused

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
    # Things the user must know: the translations of a language that could not be read.
    notices: tuple[str, ...] = ()
    untranslated: dict[str, int] = field(default_factory=dict)  # language -> the returns' texts left untranslated

    @property
    def errors(self) -> int:
        return sum(p.severity == Severity.ERROR for p in self.model.problems)


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
    paths, problems = ingest.find_workbooks(year_dir, limits)
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
    if epoch := source_date():  # OptionError if SOURCE_DATE_EPOCH is not a date
        return epoch.isoformat()
    dates = sorted(r.date[:10] for r in current.returns if r.date and re.match(r"\d{4}-\d\d-\d\d", r.date))
    return dates[-1] if dates else None


@dataclass(frozen=True)
class Returns:
    """What was read for a build: the year's returns, the years before, the files they came
    from and the General Secretariat's inputs."""

    current: YearData
    earlier: tuple[YearData, ...]
    paths: tuple[Path, ...]
    secretariat: SecretariatInputs


def read_returns(year: int, options: Options, plan: Plan, timings: Timings) -> Returns:
    """Read and check the year's returns and every earlier year of the period (for trends and
    the rules that look back). InputError if there is nothing to build from."""
    if not options.inputs.is_dir():
        raise InputError(f"no inputs folder {options.inputs}")
    earlier: list[YearData] = []
    for earlier_year in earlier_years(options.inputs, year, plan):
        data, _ = read_year(earlier_year, options.inputs, plan, options.limits,
                            earlier[-1] if earlier else None, timings)
        earlier.append(data)
    current, paths = read_year(year, options.inputs, plan, options.limits,
                               earlier[-1] if earlier and earlier[-1].year == year - 1 else None, timings)
    if not current.returns:
        reasons = "; ".join(p.line() for p in current.problems if p.severity == Severity.ERROR)[:500]
        raise InputError(f"no readable workbook in {options.inputs / str(year)}"
                         + (f" ({reasons})" if reasons else ""))
    return Returns(current, tuple(earlier), tuple(paths), load_secretariat(options.inputs / str(year)))


def load_inputs(year: int, options: Options, timings: Timings) -> tuple[Configuration, Returns]:
    """Configuration and returns: what `assemble` needs (for tests, benchmarks and charts)."""
    config = load_configuration(options)
    return config, read_returns(year, options, config.plan, timings)


def assemble(config: Configuration, returns: Returns, timings: Timings) -> ReportModel:
    """The whole report model, in no language: analysis, rules and advice (see `model`)."""
    return assemble_with_frames(config, returns, timings)[0]


def assemble_with_frames(config: Configuration, returns: Returns, timings: Timings) -> tuple[ReportModel, Any]:
    """The report model and the `frames.Tables` it was computed from (for the data workbook).
    pandas is first imported here, by the analysis."""
    from reportgen.pipeline.assembly import analysed_model

    with timings.stage("analyse"):
        return analysed_model(config, returns, report_date(returns.current, config.document))


class LanguagePage:
    """The report in one language: the model localised, its charts and its HTML."""

    def __init__(self, model: ReportModel, locale: Any, thresholds: Any = None, texts: Any = None) -> None:
        from reportgen.render.localised import localised_model

        self.locale = locale
        self.texts = texts  # the Bureaux' texts in this language (reportgen.i18n.returns.ReturnTexts)
        self.model = localised_model(model, locale.language)
        self.thresholds = thresholds
        self._charts: dict[str, Any] | None = None

    @property
    def charts(self) -> dict[str, Any]:
        if self._charts is None:
            from reportgen.charts import all_charts

            model = self.model
            if self.texts is not None:  # the KPI names and units they draw, in this language
                from reportgen.i18n.returns import with_texts_in

                model = with_texts_in(model, self.texts)
            self._charts = all_charts(model, self.thresholds, self.locale)
        return self._charts

    def html(self, for_pdf: bool = False) -> str:
        from reportgen.render.report import render_html

        return render_html(self.model, self.charts, self.locale, for_pdf=for_pdf, texts=self.texts)


def render_outputs(model: ReportModel, config: Configuration, options: Options, pdfs: PdfPool | None,
                   timings: Timings, texts: dict | None = None, tables: Any = None) -> dict[str, bytes]:
    """Every file of the report, by name: the JSON and data workbook (one each), and the HTML
    and PDF of each language. PDFs are laid out by the worker processes while this process
    goes on with the next language. `texts` gives each language's ReturnTexts (the Bureaux'
    texts translated; see `return_texts`). `tables`: the frames the model was computed from,
    which the data workbook is written from."""
    from reportgen.i18n.returns import untranslated_summary

    from reportgen.render import report as render
    from reportgen.render.dataworkbook import data_workbook
    from reportgen.render.locale import locale_for
    from reportgen.util.progress import Progress

    year = model.year
    with timings.stage("render data"):
        report = render.report_json(model)
        report |= untranslated_summary(model, texts or {})  # contract 8.6
        files = {f"report-{year}.json": write_json(report), f"data-{year}.xlsx": data_workbook(model, report, tables)}
    # Every PDF carries the evidence: the JSON and the data workbook as attachments.
    attachments = [(name, files[name]) for name in (f"report-{year}.json", f"data-{year}.xlsx")]
    pending = {}
    for lang in options.languages:
        stem = f"report-{year}" if lang == "en" else f"report-{year}-{lang}"
        with timings.stage("render html" if lang == "en" else f"render {lang}"):
            page = LanguagePage(model, locale_for(lang), config.thresholds, (texts or {}).get(lang))
            if pdfs:  # what the PDF needs first, so that its worker starts as soon as it can
                pending[f"{stem}.pdf"] = pdfs.submit(page.html(for_pdf=True), options.pdf_variant, attachments,
                                                     model.report_date)
            files[f"{stem}.html"] = page.html().encode("utf-8")
    with timings.stage("render pdf"), Progress("Rendering the PDFs", total=len(pending),
                                               enabled=None if len(options.languages) > 1 else False) as progress:
        for name, future in pending.items():  # the wait for the workers
            files[name] = future.result()
            progress.advance()
    return files


def return_texts(options: Options) -> tuple[dict, tuple[str, ...]]:
    """The Bureaux' texts in each language of the build other than English (translations under
    inputs/translations/), and a notice for each language whose translations cannot be read."""
    from reportgen.i18n.returns import load_for_build

    texts, notices = {}, []
    for lang in options.languages:
        if lang != "en":
            texts[lang], notice = load_for_build(options.inputs, lang)
            notices += [notice] if notice else []
    return texts, tuple(notices)


def write_json(data: object) -> bytes:
    from reportgen.pipeline import write

    return write.json_bytes(data)


def write_outputs(year: int, options: Options, paths: tuple[Path, ...], files: dict[str, bytes],
                  timings: Timings) -> tuple[Path, ...]:
    """The files and their manifest into outputs/<YEAR>/, all at once."""
    from reportgen.pipeline import write

    with timings.stage("write"):
        out_dir = options.outputs / str(year)
        files["manifest.json"] = write.json_bytes(
            write.manifest(year, options.inputs / str(year), list(paths), out_dir, files))
        written = tuple(write.write_outputs(out_dir, files))  # all at once; an earlier build's extra files go
    log.info("wrote %s", ", ".join(str(p) for p in written))
    return written


def build(year: int, options: Options, pdfs: PdfPool | None = None) -> BuildResult:
    """Build the report for `year`: configuration, read, assemble, render, write.

    `pdfs` is a pool of PDF workers the caller started earlier still (`start_pdf_workers`), so
    that they load WeasyPrint while the returns are read; the build closes it."""
    timings = Timings()
    with timings.stage("configuration"):
        config = load_configuration(options)
    if pdfs is None:
        pdfs = start_pdf_workers(options)
    # Cyclic garbage collection waits for the end of the build (see util.gcpause).
    with pdfs or nullcontext(), collection_paused():
        returns = read_returns(year, options, config.plan, timings)
        model, tables = assemble_with_frames(config, returns, timings)
        if options.strict and any(p.severity == Severity.ERROR for p in model.problems):
            return BuildResult(model, (), timings)
        texts, notices = return_texts(options)
        files = render_outputs(model, config, options, pdfs, timings, texts, tables)
    written = write_outputs(year, options, returns.paths, files, timings)
    untranslated = {lang: len(lookup.untranslated(texts_of_model(model))) for lang, lookup in texts.items()}
    return BuildResult(model, written, timings, notices, untranslated)
