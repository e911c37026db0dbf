"""The charts' fixed words: the `_()` marker that puts them in the gettext catalogues, the status
words and the key spelled out in a text alternative. They are translated when a chart is drawn,
through the report's `Locale`, which also writes its numbers.
"""

from __future__ import annotations

from typing import Iterable

from reportgen.model import STATUSES
from reportgen.render.locale import Locale
from reportgen.render.symbols import STATUS_ICONS, STATUS_LABELS


def _(message: str) -> str:
    """Marks a fixed text for extraction; `Locale.say` translates it when the chart is drawn."""
    return message


# In a KPI name drawn in the SVG when the name is in right-to-left script that cannot be drawn
# (see bidi.label_or_placeholder).
RTL_PLACEHOLDER = _("(right-to-left name: see the table)")


def capital(text: str) -> str:
    """A label as a heading: first letter upper-cased ("not achieved" → "Not achieved")."""
    return text[:1].upper() + text[1:]


def status_word(locale: Locale, status: str) -> str:
    """A status in the report's language: "achieved", "atteint", "محقق"…"""
    return locale.gettext(STATUS_LABELS[status])


def status_words(locale: Locale) -> dict[str, str]:
    return {status: status_word(locale, status) for status in STATUSES}


def status_key(locale: Locale) -> list[str]:
    """"● achieved", "◐ partially achieved"…: the status icons with their words."""
    return [f"{STATUS_ICONS[s]} {status_word(locale, s)}" for s in STATUSES]


def with_key(alt: str, locale: Locale, items: Iterable[str]) -> str:
    """For a right-to-left language, whose words may not be drawn in the SVG: the alt text and
    the legend spelled out (the template shows the alt text under the chart)."""
    if not locale.rtl:
        return alt
    # (No _() inside an f-string: Babel's extractor does not see it on Python 3.11.)
    key = locale.say(_("Key: {items}."), items=locale.join(items))
    return f"{alt} {key}"
