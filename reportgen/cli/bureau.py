"""Commands for the Bureaux' side: `template`. Arguments in, `TemplateOptions` out, then
`bureau.template.write_template`; the message for the user."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reportgen.cli import add_io, add_limits, limits_of


def add_parsers(commands: Any) -> None:
    parser = commands.add_parser(
        "template", help="write a workbook for a Bureau to fill in for a year",
        description="Write the workbook a Bureau fills in: every output of its sector listed, "
                    "last year's indicators carried over, drop-down lists where the values are fixed. "
                    "An existing file is never replaced without --force, and nothing is written inside "
                    "the inputs folder.")
    add_io(parser)
    add_limits(parser)
    parser.add_argument("--bureau", required=True, help="BR, TSB, BDT or GS")
    parser.add_argument("--out", type=Path, default=None,
                        help="the file to write (default: OUTPUTS/<YEAR>/templates/<BUREAU>_<YEAR>.xlsx)")
    parser.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    parser.set_defaults(func=run_template)


def run_template(args: argparse.Namespace) -> int:
    from reportgen.bureau.template import TemplateOptions, default_path, write_template

    bureau = args.bureau.strip().upper()
    options = TemplateOptions(year=args.year, bureau=bureau,
                              out=args.out or default_path(args.outputs, args.year, bureau),
                              inputs=args.inputs, plan_file=args.plan, limits=limits_of(args), force=args.force)
    result = write_template(options)
    carried = (f"{result.carried} KPI(s) carried over from {result.carried_from}"
               if result.carried_from else f"nothing carried over (no readable {args.year - 1} returns)")
    print(f"reportgen: template for {bureau} {args.year} written to {result.path} "
          f"({result.outputs} outputs, {carried})")
    return 0
