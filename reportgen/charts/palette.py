"""The charts' colours, and the contrast rules they keep.

Colours are Okabe-Ito, which colour-blind readers can tell apart; status is never shown by
colour alone (see legend.py). Text on a coloured fill is black or white, whichever contrasts
more; text on the page reaches 4.5:1.
"""

from __future__ import annotations

INK = "#1b1b1b"
MUTED = "#555555"
RULE = "#c8ccd0"
GRID = "#e3e6ea"
BAND = "#f4f6f9"

STATUS_COLOURS = {  # Okabe-Ito
    "achieved": "#009E73",
    "partially achieved": "#E69F00",
    "not achieved": "#D55E00",
    "not reported": "#999999",
}
NOT_REPORTED_MARK = "#767676"  # a trend point not reported: darker than the bar grey, 4.5:1


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour_on(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on `fill` (#rrggbb)."""
    lum = _luminance(fill)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
