"""One value for the language a document is rendered in: `Locale`.

It carries the language code, its direction, the compiled catalogue (gettext/ngettext), and how
numbers, percentages, dates and lists are written there. Templates, charts and recommendation
texts all format through it, so a report in one language is one `Locale` applied to one
language-neutral model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
# The faces a figure's text is drawn with in each language, in order: the sans faces of the
# report's headings and tables (templates/report.css; docs/typography.md), from Debian's
# fonts-noto-core and fonts-noto-cjk. Chinese names the Simplified Chinese face first (and the
# other stacks name it as their fallback for Han characters): left to fontconfig, Han text
# gets the Japanese face.
FONT_STACKS = {
    "zh": "'Noto Sans CJK SC', 'Noto Sans', 'Noto Sans Symbols2', sans-serif",
    "ar": "'Noto Naskh Arabic', 'Noto Sans', 'Noto Sans Symbols2', sans-serif",
}
DEFAULT_FONT_STACK = "'Noto Sans', 'Noto Sans Symbols2', 'Noto Sans CJK SC', sans-serif"


@dataclass(frozen=True)
class Locale:
    """The language a document is rendered in. English (no catalogue) by default."""

    language: str = "en"
    translations: Any = None  # a gettext.NullTranslations (or babel Translations)

    @property
    def direction(self) -> str:
        return "rtl" if self.language.split("-")[0].split("_")[0].lower() in RTL_LANGUAGES else "ltr"

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def fonts(self) -> str:
        return FONT_STACKS.get(self.language, DEFAULT_FONT_STACK)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message) if self.translations is not None else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        if self.translations is not None:
            return self.translations.ngettext(singular, plural, count)
        return singular if count == 1 else plural

    def say(self, message: str, **values: object) -> str:
        """The translation of `message` with its {placeholders} filled in. A translation whose
        placeholders do not match the English ones falls back to the English text."""
        translated = self.gettext(message)
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            _warn_misfit(self.language, message)
            return message.format(**values)

    def number(self, value: float | None, digits: int | None = None) -> str:
        """A number as the language writes it: 1,234 / 1 234 / 1.234; whole numbers without
        decimals, others with up to two (or exactly `digits`); '–' for no value."""
        if value is None:
            return "–"
        value = float(value)
        if not math.isfinite(value):
            return "–"
        return _decimal(value, self.language, digits)

    def percent(self, value: float | None) -> str:
        """A share as the language writes a percentage: 116%, 116 %, ٪116."""
        if value is None:
            return "–"
        value = float(value)
        return _percent(value, self.language) if math.isfinite(value) else "–"

    def date(self, value: str | None) -> str:
        """An ISO date written out: '15 January 2010', '15 janvier 2010'…"""
        if not value:
            return ""
        from datetime import date

        from babel.dates import format_date

        try:
            # ITU writes "15 January 2010": British English for the English report.
            return format_date(date.fromisoformat(value[:10]), format="long",
                               locale="en_GB" if self.language == "en" else self.language)
        except ValueError:
            return value

    def join(self, items: Iterable[str]) -> str:
        """A list in a sentence: "A, B, and C", "A, B et C", "A、B和C"…"""
        return _join(tuple(items), self.language)

    def text(self, text: Any, plan: Any = None) -> str:
        """A language-neutral `reportgen.model.Text` in this language; `plan` (localised) gives
        the names of plan codes and Bureaux."""
        from reportgen.model import Text

        if not isinstance(text, Text):
            return self._value(text, plan)
        values = {name: self._value(value, plan) for name, value in text.values}
        if text.plural is not None:
            n = dict(text.values)["n"]
            translated = self.ngettext(text.message, text.plural, n)
            try:
                return translated.format(**values)
            except (KeyError, IndexError, ValueError, AttributeError):
                _warn_misfit(self.language, text.message)
                return (text.message if n == 1 else text.plural).format(**values)
        return self.say(text.message, **values)

    def _value(self, value: Any, plan: Any) -> str:
        from reportgen.model import Amount, BureauName, Number, Percent, PlanName, Text, TextList, WorkbookText

        if isinstance(value, WorkbookText):
            return value.text  # as typed; the HTML shows its translation (render.report)
        if isinstance(value, Text):
            return self.text(value, plan)
        if isinstance(value, Percent):
            return self.percent(value.value)
        if isinstance(value, Amount):
            return self.number(round(value.value))
        if isinstance(value, Number):
            return self.number(value.value)
        if isinstance(value, TextList):
            return self.join(self._value(item, plan) for item in value.items)
        if isinstance(value, PlanName):
            return _plan_name(plan, value.code)
        if isinstance(value, BureauName):
            sector = plan.sector_of_bureau(value.code) if plan is not None else None
            return sector.bureau_name if sector else value.code
        return str(value)


ENGLISH = Locale()


def locale_for(language: str) -> Locale:
    """The `Locale` of one of the report's languages, its catalogue loaded (cached)."""
    if language == "en":
        return ENGLISH
    from reportgen.i18n.catalogues import translations

    return Locale(language, translations(language))


# Babel parses its pattern on every call (~30 µs); a report formats thousands of numbers, most
# of them repeated (targets, ticks, years of history), so the results are kept.
@lru_cache(maxsize=8192)
def _decimal(value: float, language: str, digits: int | None) -> str:
    from babel.numbers import format_decimal

    if digits:
        pattern = "#,##0." + "0" * digits
    else:
        pattern = "#,##0" if value == round(value) else "#,##0.##"
    try:
        return format_decimal(value, format=pattern, locale=language)
    except ArithmeticError:  # beyond decimal's precision: validation bounds values, this is a guard
        return f"{value:g}"


@lru_cache(maxsize=2048)
def _percent(value: float, language: str) -> str:
    from babel.numbers import format_percent

    return format_percent(value, locale=language)


def _join(items: tuple[str, ...], language: str) -> str:
    from babel.lists import format_list

    try:
        return format_list(list(items), style="standard", locale=language)
    except (KeyError, ValueError):  # a locale without list patterns
        return ", ".join(items)


@lru_cache(maxsize=None)
def _warn_misfit(language: str, message: str) -> None:
    import logging

    logging.getLogger(__name__).warning(
        "the %s translation of %r does not fit its placeholders: the English text is used", language, message)


def _plan_name(plan: Any, code: str) -> str:
    """An output's name, or an objective's or goal's title, by code (the code itself if unknown)."""
    if plan is None:
        return code
    for lookup, attribute in ((plan.output, "name"), (plan.objective, "title"), (plan.goal, "title")):
        try:
            return getattr(lookup(code), attribute)
        except KeyError:
            continue
    return code
