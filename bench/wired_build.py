"""The build as it runs once reportgen.cache and reportgen.parallel.PdfPool are wired in: a copy
of `build.build()` (as of this writing) for measuring, and the command line's cache check.

    .venv/bin/python bench/wired_build.py --year 2009 [--inputs DIR] [--outputs DIR] [--lang en,fr]
                     [--no-pdf] [--force] [--no-cache] [--no-pool] [--proposals] [--profile]

bench/run.py times it from a cold process beside `reportgen build`, which does not have the
wiring yet (build.py and cli.py are other people's files). The differences from `build.build()`
are marked `# WIRING`: they are what docs/performance.md asks the lead to add. Prints what the
command line would, and with --profile the stages, as `reportgen build --profile` does.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(year, options, pool: bool = True, pdf_initializer=None):  # noqa: ANN001, ANN201  (mirrors build.build)
    from reportgen import build as pipeline
    from reportgen import render, write
    from reportgen.errors import InputError
    from reportgen.parallel import PdfPool

    timings = pipeline.Timings()
    languages = [lang for lang in options.languages]
    # WIRING: start the PDF workers first, so they import and warm WeasyPrint during ingest.
    pdfs = PdfPool(jobs=len(languages), initializer=pdf_initializer) if pool and options.pdf else None
    with pdfs or nullcontext():
        plan, current, earlier, paths = pipeline.load_inputs(year, options, timings)
        if not current.returns:
            reasons = "; ".join(p.line() for p in current.problems if p.severity == "error")[:500]
            raise InputError(f"no readable workbook in {options.inputs / str(year)}" + (f" ({reasons})" if reasons else ""))
        thresholds = pipeline.load_thresholds(options.rules_file)
        document = pipeline.load_document_settings(options.inputs / "report.yaml", document_number=options.document_number,
                                                   council=options.council)
        model = pipeline.assemble(plan, current, earlier, thresholds, timings, document.for_language("en"))
        if options.strict and any(p.severity == "error" for p in model.problems):
            return pipeline.BuildResult(model, (), timings)

        with timings.stage("render html"):
            html = render.render_html(model, pipeline.charts_of(model, thresholds))
            report = render.report_json(model)
        with timings.stage("render data"):
            from reportgen.dataworkbook import data_workbook

            files = {f"report-{year}.html": html.encode("utf-8"),
                     f"report-{year}.json": write.json_bytes(report),
                     f"data-{year}.xlsx": data_workbook(model, report)}
        attachments = [(name, files[name]) for name in (f"report-{year}.json", f"data-{year}.xlsx")]
        pending = {}
        if options.pdf:
            if pdfs:  # WIRING: hand the PDF to a worker and go on with the other languages
                pending[f"report-{year}.pdf"] = pdfs.submit(html, options.pdf_variant, attachments, model.report_date)
            else:
                with timings.stage("render pdf"):
                    files[f"report-{year}.pdf"] = render.render_pdf(html, options.pdf_variant, attachments,
                                                                    model.report_date)
        for lang in languages:
            if lang == "en":
                continue
            if not pdfs:
                files |= pipeline.render_language(lang, plan, current, earlier, thresholds, document, options,
                                                  attachments, timings)
                continue
            # WIRING: render_language split in two: the HTML here, the PDF in a worker.
            from reportgen import i18n
            from reportgen.plan import localise

            translations = i18n.translations(lang)
            with timings.stage(f"render {lang}"):
                local = pipeline.assemble(localise(plan, lang), current, earlier, thresholds, pipeline.Timings(),
                                          document.for_language(lang), translations.gettext, lang)
                page = render.render_html(local, pipeline.charts_of(local, thresholds, translations.gettext, lang), lang,
                                          translations)
                files[f"report-{year}-{lang}.html"] = page.encode("utf-8")
            if options.pdf:
                pending[f"report-{year}-{lang}.pdf"] = pdfs.submit(page, options.pdf_variant, attachments,
                                                                    local.report_date)
        if pending:
            with timings.stage("render pdf"):  # now only the wait for the workers
                for name, future in pending.items():
                    files[name] = future.result()
    with timings.stage("write"):
        out_dir = options.outputs / str(year)
        files["manifest.json"] = write.json_bytes(write.manifest(year, options.inputs / str(year), paths, out_dir, files))
        written = write.write_all(out_dir, files)
    from reportgen.approval import warn_if_stale

    stale = warn_if_stale(out_dir, year)
    return pipeline.BuildResult(model, tuple(written), timings, (stale,) if stale else ())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--inputs", type=Path, default=Path("inputs"))
    parser.add_argument("--outputs", type=Path, default=Path("outputs"))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--no-cache", action="store_true", help="measure the build without the cache check")
    parser.add_argument("--no-pool", action="store_true", help="render PDFs here, as build.build does")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--proposals", action="store_true",
                        help="also the proposals for other people's modules: python-calamine without pandas "
                             "(bench/proto_ingest.py) and whole-run SVG text (bench/svg_text_shim.py)")
    args = parser.parse_args(argv)
    pdf_initializer = None
    if args.proposals:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import proto_ingest
        import svg_text_shim

        proto_ingest.use_direct_reader()
        # In the PDF workers (or here, without them): WeasyPrint is imported where it renders.
        pdf_initializer = svg_text_shim.install
        if args.no_pool:
            svg_text_shim.install()
    started = time.perf_counter()
    logging.basicConfig(level=logging.WARNING, format="reportgen: %(levelname)s: %(message)s")
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from reportgen.build import Options
    from reportgen.cache import CachedBuild, build_or_reuse
    from reportgen.i18n import parse_languages

    options = Options(inputs=args.inputs, outputs=args.outputs, pdf=not args.no_pdf,
                      languages=parse_languages(args.lang))
    run = lambda year, opts: build(year, opts, pool=not args.no_pool, pdf_initializer=pdf_initializer)  # noqa: E731
    # WIRING (cli.run_build): the cache check first; build_or_reuse records the new key.
    result = run(args.year, options) if args.no_cache else build_or_reuse(args.year, options, args.force, run)
    folder = args.outputs / str(args.year)
    if isinstance(result, CachedBuild):
        s = result.summary
        print(f"reportgen: report for {args.year} is up to date in {folder}/ (nothing changed since the last "
              f"build; {s.get('kpis')} KPIs, {s.get('errors')} error(s), {s.get('warnings')} warning(s) in the "
              "data-quality annex; --force rebuilds it)")
    else:
        print(f"reportgen: report for {args.year} written to {folder}/ ({len(result.model.kpis)} KPIs, "
              f"{result.errors} error(s))")
        if args.profile:
            for stage, seconds in result.timings.stages.items():
                print(f"{stage:<12} {seconds:7.3f} s", file=sys.stderr)
    if args.profile:
        print(f"{'total':<12} {time.perf_counter() - started:7.3f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
