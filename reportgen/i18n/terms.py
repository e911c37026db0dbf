"""Terms the tool translates itself: the controlled list of KPI units.

A unit typed from this list (in any of the spellings under `aliases`) is shown in the report's
language by the gettext catalogues (context "unit"), so it never goes to the translators; any
other unit is free text and is exported with the rest of the Bureaux' texts.

`UNITS` is also what the template's drop-down in the `Unit` column should offer (labels in
`UNIT_CHOICES`, the order in which to offer them); free text stays allowed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def NP_(context: str, text: str) -> str:
    """Marks a text with a context for extraction (`i18n extract`); translated when shown."""
    return text


UNIT_CONTEXT = "unit"


@dataclass(frozen=True, slots=True)
class Unit:
    label: str  # as offered in the template and written in English reports
    aliases: tuple[str, ...] = ()  # other spellings Bureaux type for it


UNITS: tuple[Unit, ...] = (
    Unit(NP_("unit", "number"), ("no.", "nb", "count", "numbers", "#")),
    Unit(NP_("unit", "%"), ("percent", "per cent", "percentage", "pct")),
    Unit(NP_("unit", "days"), ("day", "calendar days")),
    Unit(NP_("unit", "weeks"), ("week",)),
    Unit(NP_("unit", "months"), ("month",)),
    Unit(NP_("unit", "years"), ("year",)),
    Unit(NP_("unit", "hours"), ("hour",)),
    Unit(NP_("unit", "thousand CHF"), ("CHF thousands", "thousands of CHF", "thousands CHF", "kCHF",
                                       "CHF '000", "CHF 000", "'000 CHF", "KCHF", "k CHF")),
    Unit(NP_("unit", "million CHF"), ("CHF millions", "millions of CHF", "MCHF", "CHF million")),
    Unit(NP_("unit", "CHF"), ("Swiss francs",)),
    Unit(NP_("unit", "millions"), ("million",)),
    Unit(NP_("unit", "pages"), ("page",)),
    Unit(NP_("unit", "ratio"), ()),
)
UNIT_CHOICES: tuple[str, ...] = tuple(unit.label for unit in UNITS)

_BY_SPELLING = {" ".join(spelling.split()).casefold(): unit.label
                for unit in UNITS for spelling in (unit.label, *unit.aliases)}


def controlled_unit(text: str) -> str | None:
    """The label of the controlled unit `text` stands for ('Days' → 'days'), or None for free text."""
    return _BY_SPELLING.get(" ".join(str(text).split()).casefold())


def unit_in(label: str, translations: Any) -> str:
    """A controlled unit's label in the language of `translations` (a gettext object)."""
    return translations.pgettext(UNIT_CONTEXT, label)
