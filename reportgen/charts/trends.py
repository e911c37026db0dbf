"""Chart "KPI actual against target", one per sector: small multiples, one per KPI with earlier
years, its actual (a status marker) against its target (a dash) over the plan period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from reportgen.charts.bidi import drawn, label_or_placeholder
from reportgen.charts.canvas import WIDTH, Canvas, coord, safe_id
from reportgen.charts.figure import MAX_LINES, Chart, svg_document
from reportgen.charts.legend import status_marker
from reportgen.charts.palette import GRID, INK, MUTED, RULE
from reportgen.charts.text import clean, text_width, wrap, wrap_at
from reportgen.charts.words import RTL_PLACEHOLDER, _, status_key, status_words, with_key
from reportgen.model import HistoryPoint, KPIResult, ReportModel
from reportgen.render.locale import ENGLISH, Locale
from reportgen.settings import Thresholds

TREND_COLUMNS = 4
PAD = 6.0  # inside a cell
NAME_SIZE, NAME_LINE = 9.5, 11.0  # the KPI's code and name
SMALL_SIZE, SMALL_LINE = 8.5, 10.0  # its figures in words, its unit
PLOT_HEIGHT = 48.0  # from the top of the plot to the bottom of the cell: markers, axis, years
PLOT_RANGE = 24.0  # where the markers' centres may be
STATUS_RANK = {"achieved": 3, "partially achieved": 2, "not achieved": 1}


def draw(model: ReportModel, thresholds: Thresholds, locale: Locale) -> dict[str, Chart]:
    """The registry's entry (see reportgen.charts): `trends_<sector>` for each sector with
    KPIs that have earlier years."""
    return {f"trends_{sector.sector.code}": chart for sector in model.sectors
            if (chart := sector_trends(model, sector.sector.code, locale=locale)) is not None}


def kpi_trends(model: ReportModel, columns: int = TREND_COLUMNS, locale: Locale = ENGLISH) -> list[Chart]:
    """One small-multiples chart per sector: each KPI with earlier years, actual (status
    marker) against target (dash) over the plan period. Sectors without such KPIs are left out."""
    return [chart for sector in model.sectors
            if (chart := sector_trends(model, sector.sector.code, columns, locale)) is not None]


def sector_trends(model: ReportModel, sector_code: str, columns: int = TREND_COLUMNS,
                  locale: Locale = ENGLISH) -> Chart | None:
    """The small multiples of one sector, or None if none of its KPIs has earlier years."""
    sector = next((s for s in model.sectors if s.sector.code == sector_code), None)
    if sector is None:
        raise KeyError(f"no sector {sector_code!r} in the model")
    kpis = [k for o in sector.outputs for k in o.kpis if k.history]
    return _trend_chart(model, sector, kpis, columns, locale) if kpis else None


def _trend_points(model: ReportModel, kpi: KPIResult) -> list[HistoryPoint]:
    current = HistoryPoint(model.year, kpi.entry.target, kpi.entry.actual, kpi.status)
    return [*kpi.history, current]


def _trend_years(model: ReportModel, kpis: Sequence[KPIResult]) -> list[int]:
    first = min([model.plan.first_year, *(h.year for k in kpis for h in k.history)])
    last = max(model.plan.last_year, model.year)
    return list(range(first, last + 1))


@dataclass(frozen=True, slots=True)
class _TrendWords:
    """The fixed words of a trends chart, translated once per chart, not once per KPI."""

    locale: Locale
    statuses: dict[str, str]
    target: str
    placeholder: str  # for a KPI name in right-to-left script
    lower_is_better: str  # drawn
    lower_is_better_full: str  # in the tooltip and the key

    @classmethod
    def of(cls, locale: Locale) -> "_TrendWords":
        lower = locale.say(_("lower is better"))
        return cls(locale, status_words(locale), locale.say(_("target")),
                   drawn(locale.say(RTL_PLACEHOLDER), "…"), drawn(lower, "↓"), lower)


def _trend_chart(model: ReportModel, sector, kpis: list[KPIResult], columns: int, locale: Locale) -> Chart:
    chart_id = safe_id(f"trends-{sector.sector.code}")
    years = _trend_years(model, kpis)
    title = locale.say(_("KPI actual against target, {sector}, {first}–{last} ({count} KPIs with earlier years)"),
                       sector=sector.sector.name, first=years[0], last=years[-1], count=len(kpis))
    words = _TrendWords.of(locale)
    cell_width = WIDTH / columns
    canvas = Canvas(locale.rtl)
    legend_x, line = 0.0, 0.0
    for status, word in words.statuses.items():
        label = drawn(word)
        if legend_x > 0 and legend_x + 14 + text_width(label, 10.5) > WIDTH:
            legend_x, line = 0.0, line + 18
        status_marker(canvas, status, legend_x + 6, 9 + line)
        if label:
            canvas.text(legend_x + 14, 13 + line, label, font_size=10.5)
        legend_x += 30 + text_width(label, 10.5)
    label = drawn(words.target)
    if legend_x + 21 + text_width(label, 10.5) > WIDTH:
        legend_x, line = 0.0, line + 18
    canvas.line(legend_x + 2, 9 + line, legend_x + 16, 9 + line, stroke=INK, stroke_width=2.2)
    if label:
        canvas.text(legend_x + 21, 13 + line, label, font_size=10.5)
    top = 26.0 + line
    inner = cell_width - 2 * PAD
    cells = [_CellText.of(model, kpi, inner, words) for kpi in kpis]
    y0 = top
    for first in range(0, len(kpis), columns):
        # One row of the grid: its cells as tall as the longest name, figures and unit among them.
        row = cells[first:first + columns]
        layout = _Layout(max(2, *(len(c.name) for c in row)), max(1, *(len(c.figures) for c in row)),
                         max(1, *(len(c.unit) for c in row)))
        for index, text in enumerate(row):
            _trend_cell(canvas, model, kpis[first + index], years, index * cell_width, y0, cell_width, words,
                        text, layout)
        y0 += layout.height
    height = y0 + 2
    alt = with_key(_trend_alt(model, sector, kpis, locale), locale,
                   [*status_key(locale), f"— {words.target}", f"↓ {words.lower_is_better_full}"])
    with_data = {p.year for k in kpis for p in _trend_points(model, k)}
    table_years = [y for y in years if y in with_data]
    header = (locale.say(_("Output")), locale.say(_("KPI")), locale.say(_("Unit")),
              *(locale.say(message, year=y) for y in table_years for message in (_("{year} target"),
                                                                                  _("{year} actual"))),
              locale.say(_("Status {year}"), year=model.year))
    table: list[tuple[str, ...]] = [header]
    for kpi in kpis:
        points = {p.year: p for p in _trend_points(model, kpi)}
        cells = []
        for y in table_years:
            point = points.get(y)
            cells += [locale.number(point.target) if point else "–", locale.number(point.actual) if point else "–"]
        table.append((kpi.entry.output, clean(kpi.entry.kpi), clean(kpi.entry.unit or ""), *cells,
                      words.statuses[kpi.status]))
    return Chart(chart_id, title, alt, svg_document(chart_id, height, title, alt, canvas.markup(), rtl=locale.rtl),
                 tuple(table))


@dataclass(frozen=True, slots=True)
class _CellText:
    """The lines of words at the top of one multiple, wrapped to its width."""

    name: list[str]  # the first follows the KPI's code
    figures: list[str]  # this year's actual and target
    unit: list[list[str]]  # each line: the unit and "lower is better", spans of one text

    @classmethod
    def of(cls, model: ReportModel, kpi: KPIResult, inner: float, words: _TrendWords) -> "_CellText":
        locale, entry = words.locale, kpi.entry
        code_width = text_width(entry.output + "\u00a0", NAME_SIZE, bold=True)
        name = wrap(label_or_placeholder(entry.kpi, words.placeholder), inner, NAME_SIZE, MAX_LINES,
                    first_line_width=inner - code_width)
        year, target = model.year, locale.number(entry.target)
        if entry.actual is not None:
            actual = locale.number(entry.actual)
            figures = drawn(locale.say(_("{year}: {actual} · target {target}"), year=year, actual=actual,
                                       target=target), f"{year}: {actual} · — {target}")
        else:
            figures = drawn(locale.say(_("{year}: not reported · target {target}"), year=year, target=target),
                            f"{year}: – · — {target}")
        # The unit (workbook text, perhaps in another script than the words after it) is a span of
        # its own, so that it is isolated on its own (see bidi.isolate_rtl).
        unit = label_or_placeholder(entry.unit or "", "")
        lower = words.lower_is_better if entry.direction == "lower" else ""
        if unit and lower and text_width(f"{unit}\u00a0· {lower}", SMALL_SIZE) <= inner:
            units = [[unit, f"\u00a0· {lower}"]]  # U+00A0: kept at the span's edge
        else:
            units = [[line] for text in (unit, lower) if text for line in wrap(text, inner, SMALL_SIZE, MAX_LINES)]
        return cls(name, wrap_at(figures, " · ", inner, SMALL_SIZE, MAX_LINES), units)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the lines of words and the plot stand in every cell of one chart."""

    name_lines: int
    figure_lines: int
    unit_lines: int

    @property
    def figures_top(self) -> float:  # baseline of the first line of figures
        return 14 + NAME_LINE * self.name_lines + 1

    @property
    def unit_top(self) -> float:
        return self.figures_top + SMALL_LINE * self.figure_lines

    @property
    def plot_top(self) -> float:
        return self.unit_top + SMALL_LINE * (self.unit_lines - 1) + 9

    @property
    def height(self) -> float:
        return self.plot_top + PLOT_HEIGHT


def _trend_cell(canvas: Canvas, model: ReportModel, kpi: KPIResult, years: list[int],
                x0: float, y0: float, width: float, words: _TrendWords, text: _CellText, layout: _Layout) -> None:
    """One multiple: name, this year's figures in words, then the plot (no value labels on
    the points: they collide in so small a plot; the words, the tooltip and the table carry them)."""
    locale = words.locale
    entry = kpi.entry
    points = _trend_points(model, kpi)
    inner = width - 2 * PAD
    canvas.open("g")
    name = f"{entry.output} {entry.kpi}" + (f" ({entry.unit})" if entry.unit else "")
    figures = "; ".join(locale.say(_("{year} target {target}, actual {actual} ({status})"), year=p.year,
                                   target=locale.number(p.target), actual=locale.number(p.actual),
                                   status=words.statuses[p.status]) for p in points)
    canvas.title(locale.say(_("{name}, lower is better: {figures}"), name=name, figures=figures)
                 if entry.direction == "lower" else f"{name}: {figures}")
    canvas.rect(x0 + 2, y0 + 2, width - 4, layout.height - 4, fill="none", stroke=GRID, stroke_width=1)
    left = x0 + PAD
    canvas.rich_text(left, y0 + 14, [(entry.output, {"font_weight": "bold"}), ("\u00a0" + text.name[0], {})],
                     font_size=NAME_SIZE)
    for index, line in enumerate(text.name[1:], 1):
        canvas.text(left, y0 + 14 + NAME_LINE * index, line, font_size=NAME_SIZE)
    for index, line in enumerate(text.figures):
        canvas.text(left, y0 + layout.figures_top + SMALL_LINE * index, line, font_size=SMALL_SIZE)
    for index, spans in enumerate(text.unit):
        canvas.rich_text(left, y0 + layout.unit_top + SMALL_LINE * index, [(span, {}) for span in spans],
                         font_size=SMALL_SIZE, fill=MUTED)

    plot_top = y0 + layout.plot_top
    plot_bottom = plot_top + PLOT_RANGE  # marker centres stay within these
    axis_y = plot_bottom + 7
    step = inner / len(years)

    def x_of(year: int) -> float:
        return left + step * (years.index(year) + 0.5)

    values = [v for p in points for v in (p.target, p.actual) if v is not None]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1

    def y_of(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

    canvas.line(left, axis_y, x0 + width - PAD, axis_y, stroke=RULE, stroke_width=0.8)
    for year in years:
        canvas.text(x_of(year), y0 + layout.height - 6, str(year), font_size=SMALL_SIZE,
                    text_anchor="middle", fill=INK if year == model.year else MUTED,
                    font_weight="bold" if year == model.year else None)
    for point in points:
        if point.target is not None:
            y = y_of(point.target)
            canvas.line(x_of(point.year) - 8, y, x_of(point.year) + 8, y, stroke=INK, stroke_width=2.2)
    reported = [p for p in points if p.actual is not None]
    if len(reported) > 1:
        canvas.element("polyline", points=" ".join(f"{coord(canvas.x(x_of(p.year)))},{coord(y_of(p.actual))}"
                                                   for p in reported),
                       fill="none", stroke=MUTED, stroke_width=1)
    for point in points:
        if point.actual is None:  # on the axis, where no value can be
            status_marker(canvas, "not reported", x_of(point.year), axis_y)
        else:
            status_marker(canvas, point.status, x_of(point.year), y_of(point.actual))
    canvas.close("g")


def _trend_alt(model: ReportModel, sector, kpis: list[KPIResult], locale: Locale) -> str:
    better = worse = same = unknown = 0
    for kpi in kpis:
        before = STATUS_RANK.get(kpi.history[-1].status)
        now = STATUS_RANK.get(kpi.status)
        if before is None or now is None:
            unknown += 1
        elif now > before:
            better += 1
        elif now < before:
            worse += 1
        else:
            same += 1
    previous = sorted({k.history[-1].year for k in kpis})
    values = dict(total=len(kpis), sector=sector.sector.name, better=better, year=model.year, worse=worse,
                  same=same)
    if len(previous) == 1:
        text = locale.say(_("Of the {total} KPIs of {sector} with earlier figures, {better} improved their "
                            "status in {year} compared with {previous}, {worse} fell back and {same} kept it."),
                          previous=previous[0], **values)
    else:
        text = locale.say(_("Of the {total} KPIs of {sector} with earlier figures, {better} improved their "
                            "status in {year} compared with the year before, {worse} fell back and {same} "
                            "kept it."), **values)
    if unknown:
        text += " " + locale.say(_("{count} cannot be compared (not reported)."), count=unknown)
    achieved = sum(k.status == "achieved" for k in kpis)
    return text + " " + locale.say(_("{count} of them met their {year} target."), count=achieved, year=model.year)
