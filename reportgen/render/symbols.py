"""How a KPI status is shown, in one place for the HTML templates and the charts: its icon
(● ◐ ○ –, so that status never rests on colour alone), its words (marked for the gettext
catalogues, translated where shown) and its CSS class.
"""

from __future__ import annotations

from reportgen.format import Status


def N_(text: str) -> str:
    """Marks a fixed text for translation where it is defined; it is translated when shown."""
    return text


STATUS_ICONS: dict[str, str] = {Status.ACHIEVED: "●", Status.PARTIALLY_ACHIEVED: "◐",
                                Status.NOT_ACHIEVED: "○", Status.NOT_REPORTED: "–"}
STATUS_LABELS: dict[str, str] = {Status.ACHIEVED: N_("achieved"),
                                 Status.PARTIALLY_ACHIEVED: N_("partially achieved"),
                                 Status.NOT_ACHIEVED: N_("not achieved"),
                                 Status.NOT_REPORTED: N_("not reported")}
STATUS_CLASSES: dict[str, str] = {status: status.value.replace(" ", "-") for status in Status}
