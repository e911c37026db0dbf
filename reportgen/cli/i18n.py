"""Commands for the languages: `i18n check`, `i18n extract` (the report's own catalogues) and
`i18n export`, `i18n import` (the translators' round trip of the Bureaux' texts, contract 8.6)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(commands: Any) -> None:
    from reportgen.cli import add_limits

    parser = commands.add_parser("i18n", help="translations: the report's catalogues and the Bureaux' texts")
    actions = parser.add_subparsers(dest="action", required=True)

    check = actions.add_parser("check", help="list untranslated or stale strings per language")
    check.add_argument("--lang", default="all", help="languages to check (default: all)")
    check.add_argument("--verbose-list", action="store_true", help="print every string, not only counts")
    check.set_defaults(func=run_check)

    extract = actions.add_parser("extract", help="refresh reportgen.pot and merge it into each .po")
    extract.set_defaults(func=run_extract)

    export = actions.add_parser(
        "export", help="write the texts typed in a year's returns as a PO file for translators",
        description="Writes every distinct text typed in the year's returns (KPI names, units, comments, "
                    "highlights, proposals and their sources) as a gettext PO file, each unit with its "
                    "context, translations from earlier years filled in.")
    export.add_argument("--year", type=int, required=True, help="the report year, e.g. 2009")
    export.add_argument("--lang", required=True, help="the language to translate into: fr, es, ar, zh or ru")
    export.add_argument("--out", type=Path, default=None,
                        help="file to write (default: <outputs>/translations/returns-<YEAR>-<lang>.po)")
    export.add_argument("--inputs", type=Path, default=Path("inputs"),
                        help="folder holding the year folders and translations/ (default: inputs)")
    export.add_argument("--outputs", type=Path, default=Path("outputs"),
                        help="folder for the default --out (default: outputs)")
    add_limits(export)
    export.set_defaults(func=run_export)

    load = actions.add_parser(
        "import", help="check a translated PO file and store it under <inputs>/translations/",
        description="Checks a file written by 'i18n export' and translated, and stores its translations in "
                    "the translation memory <inputs>/translations/<lang>.po, used by 'build --lang'.")
    load.add_argument("file", type=Path, help="the translated PO file")
    load.add_argument("--lang", default=None,
                      help="refuse the file unless it is for this language (default: its Language header)")
    load.add_argument("--inputs", type=Path, default=Path("inputs"),
                      help="folder holding the year folders and translations/ (default: inputs)")
    add_limits(load)
    load.set_defaults(func=run_import)


def run_check(args: argparse.Namespace) -> int:
    from reportgen.i18n.catalogues import check, parse_languages

    incomplete = 0
    for lang in parse_languages(args.lang):
        if lang == "en":
            continue
        status = check(lang)
        parts = {"untranslated": status.untranslated, "fuzzy": status.fuzzy, "stale": status.stale,
                 "not extracted": status.missing, "plan texts missing": status.plan_missing}
        summary = ", ".join(f"{len(v)} {k}" for k, v in parts.items() if v) or "complete"
        review = f"; {len(status.plan_review)} plan texts to review against the official version" \
            if status.plan_review else ""
        print(f"{lang}: {status.total} strings: {summary}{review}")
        if args.verbose_list or not status.complete:
            for kind, items in parts.items():
                for item in items[: None if args.verbose_list else 10]:
                    print(f"  {kind}: {item[:100]}")
        incomplete += not status.complete
    return 1 if incomplete else 0


def run_extract(args: argparse.Namespace) -> int:
    from reportgen.i18n.catalogues import ROOT, update_catalogues

    for path in update_catalogues():
        print(f"updated {path.relative_to(ROOT)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from reportgen.cli import limits_of
    from reportgen.i18n.roundtrip import export_texts

    lang = args.lang.strip().lower()
    out = args.out or args.outputs / "translations" / f"returns-{args.year}-{lang}.po"
    result = export_texts(args.year, lang, args.inputs, out, args.plan, limits_of(args))
    print(f"reportgen: wrote {out}: {result.units} texts of the {args.year} returns for '{lang}', "
          f"{result.filled} filled in from earlier translations, {result.to_translate} to translate "
          f"({result.words_to_translate} words); {result.by_tool} units and sources the report "
          "translates itself were left out")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from reportgen.cli import limits_of
    from reportgen.i18n.roundtrip import import_texts

    lang = args.lang.strip().lower() if args.lang else None
    result = import_texts(args.file, args.inputs, lang, args.plan, limits_of(args))
    for rejected in result.rejected:
        print(rejected.message(args.file), file=sys.stderr)
    refused = f", {len(result.rejected)} unit(s) refused (listed above; nothing of theirs was stored)" \
        if result.rejected else ""
    print(f"reportgen: {args.file} ({result.language}): {result.new} new and {result.changed} changed "
          f"translation(s) stored in {result.memory}, {result.unchanged} unchanged, "
          f"{result.untranslated} left untranslated{refused}")
    return 1 if result.rejected else 0
