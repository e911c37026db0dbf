"""Chart "KPI status by objective": one horizontal stacked bar of KPI statuses per objective,
grouped by sector, with the counts in the segments (icon and number where they fit).
"""

from __future__ import annotations

import math
from typing import Sequence

from reportgen.charts.bidi import drawn, label_or_placeholder
from reportgen.charts.canvas import WIDTH, Canvas
from reportgen.charts.counts import reported, share
from reportgen.charts.figure import CODE_COLUMN, LINE, MAX_LINES, Chart, svg_document
from reportgen.charts.legend import legend, status_fill, status_patterns
from reportgen.charts.palette import GRID, MUTED, RULE, STATUS_COLOURS, text_colour_on
from reportgen.charts.text import clean, text_width, wrap
from reportgen.charts.words import _, capital, status_key, status_words, with_key
from reportgen.model import STATUSES, ReportModel
from reportgen.render.locale import ENGLISH, Locale
from reportgen.render.symbols import STATUS_ICONS
from reportgen.settings import Thresholds

def draw(model: ReportModel, thresholds: Thresholds, locale: Locale) -> dict[str, Chart]:
    """The registry's entry (see reportgen.charts): key `status_by_objective`."""
    return {"status_by_objective": status_by_objective(model, locale)}


def _nice_step(maximum: float, ticks: int = 6) -> float:
    """A round tick step (1, 2 or 5 × 10^n) giving at most about `ticks` intervals."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


def status_by_objective(model: ReportModel, locale: Locale = ENGLISH) -> Chart:
    """Horizontal stacked bars of KPI status, one per objective, grouped by sector."""
    chart_id = "status-by-objective"
    title = locale.say(_("KPI status by objective, {year}"), year=model.year)
    label_width, bar_left, total_room = 382.0, 390.0, 28.0
    bar_room = WIDTH - bar_left - total_room
    row, header_row = 20.0, 24.0
    objectives = [o for s in model.sectors for o in s.objectives]
    max_total = max((sum(o.status_counts.values()) for o in objectives), default=0)
    step = _nice_step(max_total, 7)
    axis_max = float(max_total or 1)  # the longest bar fills the room; ticks stop below it
    scale = bar_room / axis_max
    labels = status_words(locale)

    canvas = Canvas(locale.rtl)
    y = legend(canvas, 2, [(status_fill(chart_id, s), drawn(f"{STATUS_ICONS[s]} {labels[s]}", STATUS_ICONS[s]))
                           for s in STATUSES])
    y += 6
    top = y
    body = Canvas(locale.rtl)
    no_kpi = drawn(locale.say(_("no KPI")), "0")
    for sector in model.sectors:
        names = wrap(label_or_placeholder(sector.sector.name, sector.sector.code), WIDTH, 11.5, MAX_LINES, bold=True)
        for index, name in enumerate(names):
            body.text(0, y + 16 + LINE * index, name, font_weight="bold", font_size=11.5)
        y += header_row + LINE * (len(names) - 1)
        for result in sector.objectives:
            objective = result.objective
            body.text(0, y + 14, objective.code, font_weight="bold", font_size=10.5)
            lines = wrap(label_or_placeholder(objective.title, ""), label_width - CODE_COLUMN, 10, MAX_LINES)
            for index, line in enumerate(lines):
                body.text(CODE_COLUMN, y + 14 + LINE * index, line, font_size=10)
            x = bar_left
            total = sum(result.status_counts.values())
            body.open("g")
            counts = locale.join(locale.say(_("{count} {label}"), count=result.status_counts[s], label=labels[s])
                                 for s in STATUSES)
            body.title(locale.say(_("{code} {title}: {counts} (of {total} KPIs)"), code=objective.code,
                                  title=objective.title, counts=counts, total=total))
            for status in STATUSES:
                count = result.status_counts[status]
                if not count:
                    continue
                width = count * scale
                body.rect(x, y + 3, width, 14, fill=status_fill(chart_id, status),
                          stroke="#ffffff", stroke_width=0.8)
                _segment_label(body, x, y, width, count, status)
                x += width
            body.close("g")
            body.text(x + 4, y + 14, str(total) if total else no_kpi, font_size=10, fill=MUTED)
            y += row + LINE * (len(lines) - 1)
    bottom = y + 2
    # Grid and axis under the bars: drawn first so the bars cover the lines.
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = bar_left + tick * scale
        canvas.line(x, top, x, bottom, stroke=GRID if tick else RULE, stroke_width=1)
        canvas.text(x, bottom + 12, locale.number(tick), font_size=9.5, text_anchor="middle", fill=MUTED)
        tick += step
    canvas.add(body.markup())
    axis_label = drawn(locale.say(_("Number of KPIs (a KPI whose output serves several objectives "
                                    "counts in each)")))
    lines = [line for line in wrap(axis_label, WIDTH - bar_left, 9.5, MAX_LINES) if line]
    for index, line in enumerate(lines):
        canvas.text(bar_left, bottom + 27 + 12 * index, line, font_size=9.5, fill=MUTED)
    height = bottom + 34 + 12 * max(len(lines) - 1, 0)

    table: list[tuple[str, ...]] = [(locale.say(_("Objective")), *(capital(labels[s]) for s in STATUSES),
                                     locale.say(_("Total KPIs")), locale.say(_("Share of reported achieved")))]
    for result in objectives:
        counts = result.status_counts
        table.append((f"{result.objective.code} {clean(result.objective.title)}",
                      *(str(counts[s]) for s in STATUSES), str(sum(counts.values())),
                      locale.percent(share(counts["achieved"], reported(counts)))))
    alt = with_key(_status_alt(objectives, locale), locale, status_key(locale))
    return Chart(chart_id, title, alt,
                 svg_document(chart_id, height, title, alt, canvas.markup(), status_patterns(chart_id), locale.rtl),
                 tuple(table))


def _segment_label(canvas: Canvas, x: float, y: float, width: float, count: int, status: str) -> None:
    """Icon and count inside a segment if they fit, else the count alone, else nothing
    (the pattern, the tooltip and the table still carry it)."""
    colour = text_colour_on(STATUS_COLOURS[status])
    for label in (f"{STATUS_ICONS[status]}\u2009{count}", f"{STATUS_ICONS[status]}{count}", str(count)):
        if text_width(label, 10) + 4 <= width:
            canvas.text(x + width / 2, y + 14, label, font_size=10, text_anchor="middle", fill=colour)
            return


def _status_alt(objectives: Sequence, locale: Locale) -> str:
    shares = [(o, share(o.status_counts["achieved"], reported(o.status_counts))) for o in objectives]
    known = [(o, s) for o, s in shares if s is not None]
    if not known:
        return locale.say(_("None of the {count} objectives has a reported KPI."), count=len(objectives))
    (low, low_share), (high, high_share) = min(known, key=lambda i: i[1]), max(known, key=lambda i: i[1])
    worst = max(objectives, key=lambda o: o.status_counts["not achieved"])
    text = locale.say(_("Across the {count} objectives, the share of reported KPIs achieved ranges from "
                        "{low_share} ({low_code}, {low_achieved} of {low_reported}) to {high_share} "
                        "({high_code}, {high_achieved} of {high_reported})."),
                      count=len(objectives),
                      low_share=locale.percent(low_share), low_code=low.objective.code,
                      low_achieved=low.status_counts["achieved"], low_reported=reported(low.status_counts),
                      high_share=locale.percent(high_share), high_code=high.objective.code,
                      high_achieved=high.status_counts["achieved"], high_reported=reported(high.status_counts))
    if worst.status_counts["not achieved"]:
        text += " " + locale.say(_("{code} has the most KPIs not achieved ({count} of {total})."),
                                 code=worst.objective.code, count=worst.status_counts["not achieved"],
                                 total=sum(worst.status_counts.values()))
    return text
