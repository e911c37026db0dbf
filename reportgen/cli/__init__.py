"""Command line: arguments in, calls out; user errors become one-line messages and exit codes.

Exit codes (contract section 6): 0 done, 1 errors found (`validate`, or `build --strict`),
2 nothing could be built. Logging is set up here and nowhere else.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from reportgen.format import Severity
from reportgen.errors import ReportgenError

if TYPE_CHECKING:
    from reportgen.pipeline.build import BuildResult
    from reportgen.options import Options

log = logging.getLogger("reportgen")

# The command groups: each module of this package (bureau, publish, i18n) has `add_parsers(subparsers) -> None`, and sets
# `func` on each of its parsers to a function taking the parsed arguments and returning an exit
# code. Those functions turn arguments into a typed options value and call a plain function of
# the domain; no domain module imports argparse.


def add_io(parser: argparse.ArgumentParser, outputs: bool = True) -> None:
    parser.add_argument("--year", type=int, required=True, help="the report year, e.g. 2009")
    parser.add_argument("--inputs", type=Path, default=Path("inputs"),
                        help="folder holding the year folders (default: inputs)")
    if outputs:
        parser.add_argument("--outputs", type=Path, default=Path("outputs"),
                            help="folder receiving the year folders (default: outputs)")


def add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-file-mb", type=float, default=25.0,
                        help="refuse workbooks larger than this (default 25 MB)")
    parser.add_argument("--max-unpacked-mb", type=float, default=250.0,
                        help="refuse workbooks that would unpack to more than this (default 250 MB)")
    parser.add_argument("--plan", type=Path, default=None, help="another plan file (YAML)")


def limits_of(args: argparse.Namespace):
    from reportgen.bureau.xlsxscan import Limits
    from reportgen.options import megabytes

    return Limits(megabytes(args.max_file_mb, "--max-file-mb"), megabytes(args.max_unpacked_mb, "--max-unpacked-mb"))


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reportgen", description=(
        "Annual progress report on the ITU Strategic Plan from the Bureaux' KPI workbooks."))
    parser.add_argument("-v", "--verbose", action="store_true", help="show diagnostic messages")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the report (HTML, PDF, JSON) for a year")
    add_io(build)
    add_limits(build)
    build.add_argument("--strict", action="store_true",
                       help="fail (exit 1, nothing written) if any workbook has an error")
    build.add_argument("--rules", type=Path, default=None, help="YAML file changing the thresholds")
    build.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster drafts)")
    build.add_argument("--pdf-variant", default="pdf/ua-1",
                       help="WeasyPrint PDF variant (default pdf/ua-1, tagged; e.g. pdf/a-3b)")
    build.add_argument("--profile", action="store_true", help="print the time spent in each stage")
    build.add_argument("--force", action="store_true",
                       help="build even if no input, template or option changed since the last build")
    build.add_argument("--doc-number", default=None,
                       help="document number for the cover (else inputs/report.yaml, else DRAFT)")
    build.add_argument("--council", default=None, help="the Council session, e.g. 'Council 2010'")
    build.add_argument("--lang", default="en",
                       help="languages to write, e.g. en,fr,ar or all (en,fr,es,ar,zh,ru); default en")
    build.set_defaults(func=run_build)

    check = commands.add_parser("validate", help="check a year's workbooks and list every problem")
    add_io(check, outputs=False)
    add_limits(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--feedback", type=Path, default=None, metavar="DIR",
                       help="also write, per workbook, a copy with the problems marked (for the Bureau)")
    check.set_defaults(func=run_validate)

    from reportgen.cli import bureau, i18n, publish

    for group in (bureau, publish, i18n):
        group.add_parsers(commands)
    return parser


def _build_with_pdf_workers_first(year: int, options: Options) -> BuildResult:
    """`build.build`, with its PDF workers forked before the pipeline's modules are imported:
    each worker then starts loading WeasyPrint a little sooner."""
    from reportgen.pipeline.workers import start_pdf_workers

    pdfs = start_pdf_workers(options)
    from reportgen.pipeline.build import build

    return build(year, options, pdfs)


def run_build(args: argparse.Namespace) -> int:
    from reportgen.i18n.catalogues import parse_languages
    from reportgen.options import Options, check

    options = check(Options(inputs=args.inputs, outputs=args.outputs, strict=args.strict,
                            plan_file=args.plan, rules_file=args.rules, limits=limits_of(args),
                            pdf=not args.no_pdf, pdf_variant=args.pdf_variant or None,
                            document_number=args.doc_number, council=args.council,
                            languages=parse_languages(args.lang)), args.year)
    from reportgen.pipeline.cache import CachedBuild, build_or_reuse
    from reportgen.util.lock import year_lock

    with year_lock(args.outputs, args.year, "build"):  # one writer per outputs year (contract 8.7)
        result = build_or_reuse(args.year, options, force=args.force, build=_build_with_pdf_workers_first)
    folder = args.outputs / str(args.year)
    if isinstance(result, CachedBuild):  # nothing changed: the outputs were checked, not rewritten
        summary = result.summary
        print(f"reportgen: report for {args.year} is up to date in {folder}/ (nothing changed since the "
              f"last build; {summary.get('kpis')} KPIs, {summary.get('errors')} error(s), "
              f"{summary.get('warnings')} warning(s); --force rebuilds it)")
        return 1 if args.strict and summary.get("errors") else 0
    errors = result.errors
    warnings = sum(p.severity == Severity.WARNING for p in result.model.problems)
    for problem in result.model.problems:
        log.debug("%s", problem.line())
    if args.profile:
        total = sum(result.timings.stages.values())
        for stage, seconds in result.timings.stages.items():
            print(f"{stage:<12} {seconds:7.3f} s", file=sys.stderr)
        print(f"{'total':<12} {total:7.3f} s", file=sys.stderr)
    if args.strict and errors:
        print(f"reportgen: {errors} error(s) in the {args.year} returns; nothing written "
              f"(--strict). Run 'reportgen validate --year {args.year}' to list them.", file=sys.stderr)
        return 1
    from reportgen.publish.approval import warn_if_stale

    stale = warn_if_stale(folder, args.year)  # the new files no longer match an approval
    if stale:
        print(f"reportgen: warning: {stale}", file=sys.stderr)
    print(f"reportgen: report for {args.year} written to {folder}/ "
          f"({len(result.model.kpis)} KPIs, {errors} error(s), {warnings} warning(s) in the data-quality annex)")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from reportgen.pipeline.build import earlier_years, read_year
    from reportgen.errors import InputError
    from reportgen.plan.loader import load_plan

    plan = load_plan(args.plan)
    limits = limits_of(args)
    if not args.inputs.is_dir():
        raise InputError(f"no inputs folder {args.inputs}")
    earlier = None
    if (year_before := args.year - 1) in earlier_years(args.inputs, args.year, plan):
        earlier, _ = read_year(year_before, args.inputs, plan, limits)
    data, paths = read_year(args.year, args.inputs, plan, limits, earlier)
    from reportgen.model import problem_order

    problems = sorted(data.problems, key=problem_order)
    errors = sum(p.severity == Severity.ERROR for p in problems)
    if args.format == "json":
        print(json.dumps({"year": args.year, "problems": [p.as_dict() for p in problems]},
                         ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem.line())
        print(f"{len(data.returns)} workbook(s) read, {len(data.kpis)} KPI rows valid, "
              f"{errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr)
    if args.feedback is not None:
        from reportgen.bureau.feedback import write_feedback

        written = write_feedback(data, paths, args.inputs / str(args.year), args.feedback, limits)
        print(f"reportgen: {len(written)} feedback workbook(s) written to {args.feedback}/", file=sys.stderr)
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="reportgen: %(levelname)s: %(message)s")
    if not args.verbose:
        # WeasyPrint and fontTools talk a lot about CSS they ignore; keep users' screens clean.
        for noisy in ("weasyprint", "fontTools"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ReportgenError as exc:
        print(f"reportgen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reportgen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`reportgen validate | head`): not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
