"""The command `assess`: the plan-period assessment (contract 8.5).

    reportgen assess --period 2008-2011 [--inputs DIR] [--outputs DIR] [--lang en,fr,…]

Turns the arguments into `AssessOptions` and calls `period.assessment_run`; the result is one
line on standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(commands: Any) -> None:
    from reportgen.cli import add_limits

    parser = commands.add_parser(
        "assess", help="assess the results of a whole plan period (HTML, PDF, JSON)",
        description="Assess the results of the strategic plan over a period from every year's returns: "
                    "KPI series, verdicts on objectives and goals, money, linkage and lessons for the next plan.")
    parser.add_argument("--period", required=True, help="the plan period, e.g. 2008-2011")
    parser.add_argument("--inputs", type=Path, default=Path("inputs"),
                        help="folder holding the year folders (default: inputs)")
    parser.add_argument("--outputs", type=Path, default=Path("outputs"),
                        help="folder receiving the period's folder (default: outputs)")
    add_limits(parser)
    parser.add_argument("--rules", type=Path, default=None, help="YAML file changing the status thresholds")
    parser.add_argument("--lang", default="en",
                        help="languages to write, e.g. en,fr,ar or all (en,fr,es,ar,zh,ru); default en")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (faster drafts)")
    parser.add_argument("--pdf-variant", default="pdf/ua-1", help="WeasyPrint PDF variant (default pdf/ua-1, tagged)")
    parser.add_argument("--doc-number", default=None, help="document number for the cover (default DRAFT)")
    parser.add_argument("--council", default=None,
                        help="the body the assessment goes to, for the cover (else inputs/report.yaml's council)")
    parser.add_argument("--profile", action="store_true", help="print the time spent in each stage")
    parser.set_defaults(func=run_assess)


def run_assess(args: argparse.Namespace) -> int:
    from reportgen.cli import limits_of
    from reportgen.i18n.catalogues import parse_languages
    from reportgen.pipeline.assess import parse_period
    from reportgen.pipeline.period import AssessOptions, assessment_run

    options = AssessOptions(period=parse_period(args.period), inputs=args.inputs, outputs=args.outputs,
                            plan_file=args.plan, rules_file=args.rules, limits=limits_of(args),
                            languages=parse_languages(args.lang), pdf=not args.no_pdf,
                            pdf_variant=args.pdf_variant or None, document_number=args.doc_number,
                            council=args.council)
    result = assessment_run(options)
    if args.profile:
        for stage, seconds in result.stages.items():
            print(f"{stage:<12} {seconds:7.3f} s", file=sys.stderr)
    m = result.assessment
    years = ", ".join(f"{y} (provisional)" if y in m.provisional_years else str(y) for y in m.years)
    missing = f"; no returns for {', '.join(map(str, m.missing_years))}" if m.missing_years else ""
    print(f"reportgen: assessment of {m.period.label} written to {args.outputs / m.period.label}/ "
          f"(years {years}{missing}; {len(m.kpis)} KPIs, {len(m.lessons)} lesson(s))")
    return 0
