"""The report's charts: small hand-built SVGs, drawn from the report model and nothing else.

One module per chart; each has a `draw(model, thresholds, locale)` that returns its charts keyed
for the templates (a chart drawn once per sector returns one per sector). `CHARTS` lists them in
the report's order: a new chart is a new module with a `draw`, and one line here.

Each chart is pure: the same model and locale always give byte-identical SVG. In Arabic a chart
is mirrored as the tables are (canvas.py). Shared parts: figure.py (the `Chart` record, the SVG
document, the HTML figure), canvas.py (SVG elements, escaping, mirroring), text.py (cleaning,
measuring and wrapping labels), fonts.py (the faces that draw them and their glyph widths),
bidi.py (right-to-left labels), words.py (the fixed words and their translation), legend.py and
palette.py (status without colour alone, legends, colours), counts.py (shares of status counts).
"""

from __future__ import annotations

from reportgen.charts import budget_vs_expenditure, goals_matrix, status_by_objective, trends
from reportgen.charts.figure import Chart, figure_html
from reportgen.model import ReportModel
from reportgen.render.locale import ENGLISH, Locale
from reportgen.settings import Thresholds

__all__ = ["CHARTS", "Chart", "all_charts", "figure_html"]

CHARTS = (status_by_objective, budget_vs_expenditure, goals_matrix, trends)


def all_charts(model: ReportModel, thresholds: Thresholds | None = None, locale: Locale = ENGLISH) -> dict[str, Chart]:
    """Every chart of the report in `locale`, keyed for the templates: `status_by_objective`,
    `budget_<sector>` (e.g. budget_R, budget_INT), `goals_matrix`, `trends_<sector>`.
    A sector with no finance has no budget chart; one with no earlier years no trends chart.
    The plan's texts come translated in the model; `locale` translates the fixed texts and
    writes the numbers."""
    thresholds = thresholds or Thresholds()
    charts: dict[str, Chart] = {}
    for chart in CHARTS:
        charts.update(chart.draw(model, thresholds, locale))
    return charts
