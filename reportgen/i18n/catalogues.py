"""The report's languages: gettext catalogues for the fixed texts (templates and rules), kept
as `.po` files in `reportgen/locale/` and compiled in memory at build time, and checks that
list untranslated or stale strings per language.

`reportgen i18n extract` refreshes the template (`reportgen.pot`) and merges it into every
language's catalogue; `reportgen i18n check` lists what is missing or stale.
"""

from __future__ import annotations

import argparse
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError

log = logging.getLogger(__name__)

from reportgen.resources import LOCALE_DIR
DOMAIN = "reportgen"
LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية",
                  "zh": "中文", "ru": "Русский"}
from reportgen.resources import REPOSITORY_DIR as ROOT
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def parse_languages(text: str) -> tuple[str, ...]:
    """`en,fr` or `all` → ('en', 'fr'); unknown codes are a user error."""
    if text.strip().lower() == "all":
        return LANGUAGES
    codes = tuple(dict.fromkeys(code.strip().lower() for code in text.split(",") if code.strip()))
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown or not codes:
        raise ReportgenError(f"unknown language(s) {', '.join(unknown) or '(none)'}: "
                             f"use some of {', '.join(LANGUAGES)} or 'all'")
    return codes


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(lang: str) -> Any:
    """The compiled catalogue of `lang` (NullTranslations for English or a missing file)."""
    import gettext

    path = po_path(lang)
    if lang == "en" or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def extract() -> Any:
    """The catalogue of every fixed text in the code and templates."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="reportgen", msgid_bugs_address=None, charset="utf-8")
    method_map = [("reportgen/**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                   "lstrip_blocks": "true"}}
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options, keywords=KEYWORDS, strip_comment_tags=True):
        if "/bench/" in filename or filename.startswith("tests"):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update_catalogues() -> list[Path]:
    """Write the .pot and merge it into each language's .po (new strings empty, old ones obsolete)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=False, sort_output=True, width=100)
    written = []
    for lang in LANGUAGES[1:]:
        path = po_path(lang)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="reportgen", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100, include_previous=False)
        written.append(path)
    return written


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    lang: str
    total: int
    untranslated: tuple[str, ...]
    fuzzy: tuple[str, ...]
    stale: tuple[str, ...]  # in the catalogue but no longer in the code (or vice versa: missing)
    missing: tuple[str, ...]  # in the code but not in the catalogue: run `i18n extract`
    plan_missing: tuple[str, ...]  # plan codes without a text in this language
    plan_review: tuple[str, ...]  # plan texts marked as ours, awaiting review against the official text

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.missing or self.stale or self.plan_missing)


def check(lang: str) -> LanguageStatus:
    from babel.messages.pofile import read_po

    from reportgen.plan.loader import load_plan, translation_gaps

    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    path = po_path(lang)
    if not path.is_file():
        return LanguageStatus(lang, len(wanted), (), (), (), tuple(sorted(wanted)), (), ())
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    have = {}
    for message in catalog:
        if message.id:
            have[message.id if isinstance(message.id, str) else message.id[0]] = message
    untranslated = tuple(sorted(k for k, m in have.items() if k in wanted and not _translated(m)))
    fuzzy = tuple(sorted(k for k, m in have.items() if k in wanted and m.fuzzy and _translated(m)))
    stale = tuple(sorted(set(have) - wanted))
    missing = tuple(sorted(wanted - set(have)))
    plan_missing, plan_review = translation_gaps(load_plan(), lang)
    return LanguageStatus(lang, len(wanted), untranslated, fuzzy, stale, missing, plan_missing, plan_review)


def _translated(message: Any) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def register(commands: Any) -> None:
    parser = commands.add_parser("i18n", help="the report's translations: check or extract")
    actions = parser.add_subparsers(dest="action", required=True)
    check_parser = actions.add_parser("check", help="list untranslated or stale strings per language")
    check_parser.add_argument("--lang", default="all", help="languages to check (default: all)")
    check_parser.add_argument("--verbose-list", action="store_true", help="print every string, not only counts")
    check_parser.set_defaults(func=run_check)
    extract_parser = actions.add_parser("extract", help="refresh reportgen.pot and merge it into each .po")
    extract_parser.set_defaults(func=run_extract)


def run_check(args: argparse.Namespace) -> int:
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
    for path in update_catalogues():
        print(f"updated {path.relative_to(ROOT)}")
    return 0
