"""The report's languages: gettext catalogues for the fixed texts (templates and rules), kept
as `.po` files in `reportgen/locale/` and compiled in memory at build time, and checks that
list untranslated or stale strings per language.

`reportgen i18n extract` refreshes the template (`reportgen.pot`) and merges it into every
language's catalogue; `reportgen i18n check` lists what is missing or stale (their command-line
code is in reportgen/cli/i18n.py).

The Bureaux' own texts (KPI names, comments, ...) are not in these catalogues: see
`returns.py` and `roundtrip.py`.
"""

from __future__ import annotations

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
# NP_ and pgettext: texts with a context, such as the controlled units (i18n/terms.py).
KEYWORDS = {"_": None, "N_": None, "NN_": (1, 2), "gettext": None, "ngettext": (1, 2), "NP_": ((1, "c"), 2),
            "pgettext": ((1, "c"), 2)}


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

    wanted = {_key(m) for m in extract() if m.id}
    path = po_path(lang)
    if not path.is_file():
        return LanguageStatus(lang, len(wanted), (), (), (), tuple(sorted(wanted)), (), ())
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    have = {_key(message): message for message in catalog if message.id}
    untranslated = tuple(sorted(k for k, m in have.items() if k in wanted and not _translated(m)))
    fuzzy = tuple(sorted(k for k, m in have.items() if k in wanted and m.fuzzy and _translated(m)))
    stale = tuple(sorted(set(have) - wanted))
    missing = tuple(sorted(wanted - set(have)))
    plan_missing, plan_review = translation_gaps(load_plan(), lang)
    return LanguageStatus(lang, len(wanted), untranslated, fuzzy, stale, missing, plan_missing, plan_review)


def _key(message: Any) -> str:
    """A message's text, with its context in front where it has one ("unit | days")."""
    text = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context} | {text}" if message.context else text


def _translated(message: Any) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)
