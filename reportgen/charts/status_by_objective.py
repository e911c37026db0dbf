"""Chart "KPI status by objective": one horizontal stacked bar of KPI statuses per objective,
grouped by sector, with the counts in the segments on a plain ground (icon and number where they
fit; a segment too narrow for its number leaves it to the Sector's table of objectives). Its note
(the text alternative) measures shares of reported KPIs throughout and names ties as ties.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Sequence

from reportgen.charts.axis import nice_step
from reportgen.charts.bidi import drawn, label_or_placeholder
from reportgen.charts.canvas import WIDTH, Canvas
from reportgen.charts.counts import reported, share
from reportgen.charts.figure import CODE_COLUMN, LINE, MAX_LINES, Chart, svg_document
from reportgen.charts.legend import legend, status_fill, status_patterns
from reportgen.charts.palette import GRID, MUTED, RULE, STATUS_COLOURS, text_colour_on
from reportgen.charts.text import clean, text_width, wrap
from reportgen.charts.words import _, capital, status_key, status_words, with_key
from reportgen.model import STATUSES, ObjectiveResult, ReportModel
from reportgen.render.locale import ENGLISH, Locale
from reportgen.render.symbols import STATUS_ICONS
from reportgen.settings import Thresholds

BAR_TOP, BAR_HEIGHT = 3.0, 14.0  # a bar within its row
LABEL_SIZE = 10.0  # the numbers in the segments
CHIP_PAD = 2.0  # between a number and the edge of the plain chip under it
TEXTURE_SHOWN = 2.0  # texture left visible each side of a chip


def draw(model: ReportModel, thresholds: Thresholds, locale: Locale) -> dict[str, Chart]:
    """The registry's entry (see reportgen.charts): key `status_by_objective`."""
    return {"status_by_objective": status_by_objective(model, locale)}


def status_by_objective(model: ReportModel, locale: Locale = ENGLISH) -> Chart:
    """Horizontal stacked bars of KPI status, one per objective, grouped by sector."""
    chart_id = "status-by-objective"
    title = locale.say(_("KPI status by objective, {year}"), year=model.year)
    label_width, bar_left, total_room = 382.0, 390.0, 28.0
    bar_room = WIDTH - bar_left - total_room
    row, header_row = 20.0, 24.0
    objectives = [o for s in model.sectors for o in s.objectives]
    max_total = max((sum(o.status_counts.values()) for o in objectives), default=0)
    step = nice_step(max_total, 7)
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
    left_out = False  # a segment too narrow for its number
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
                body.rect(x, y + BAR_TOP, width, BAR_HEIGHT, fill=status_fill(chart_id, status),
                          stroke="#ffffff", stroke_width=0.8)
                if not _segment_label(body, x, y, width, count, status):
                    left_out = True
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
    # Under the axis: what its numbers count (right), and where the numbers of segments too
    # narrow to hold them are (left, under the objectives' names).
    axis_label = drawn(locale.say(_("Number of KPIs (each KPI counts under the objectives it measures)")))
    notes = [(bar_left, WIDTH - bar_left, axis_label)]
    if left_out:
        notes.append((0.0, label_width, drawn(locale.say(_("A number too wide for its segment is given in the "
                                                             "Sector's table of objectives.")))))
    height = bottom + 22
    for x, room, note in notes:
        lines = [line for line in wrap(note, room, 9.5, MAX_LINES) if line]
        for index, line in enumerate(lines):
            canvas.text(x, bottom + 27 + 12 * index, line, font_size=9.5, fill=MUTED)
        height = max(height, bottom + 34 + 12 * max(len(lines) - 1, 0))

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


def _segment_label(canvas: Canvas, x: float, y: float, width: float, count: int, status: str) -> bool:
    """Icon and count inside a segment if they fit, else the count alone, on a plain ground:
    achieved's fill is plain; a textured segment gets a chip of its plain colour under the
    number, with texture left each side so that the segment still reads as its status. A
    segment too narrow for even its count gets no number (False): the tooltip and the
    Sector's table of objectives carry it, and nothing collides with its neighbours."""
    colour = STATUS_COLOURS[status]
    textured = status != "achieved"
    margin = CHIP_PAD + (TEXTURE_SHOWN if textured else 0.0)
    centre = x + width / 2
    for label in (f"{STATUS_ICONS[status]}\u2009{count}", f"{STATUS_ICONS[status]}{count}", str(count)):
        label_width = text_width(label, LABEL_SIZE)
        if label_width + 2 * margin > width:
            continue
        if textured:
            canvas.rect(centre - label_width / 2 - CHIP_PAD, y + BAR_TOP + 1.5, label_width + 2 * CHIP_PAD,
                        BAR_HEIGHT - 3, fill=colour, rx=1.5)
        canvas.text(centre, y + 14, label, font_size=LABEL_SIZE, text_anchor="middle",
                    fill=text_colour_on(colour))
        return True
    return False


def _status_alt(objectives: Sequence[ObjectiveResult], locale: Locale) -> str:
    """The finding in shares of reported KPIs, in both sentences: the range of the share
    achieved, then where the share not achieved is highest. Every objective at an extreme is
    named, so a tie reads as a tie."""
    with_reported = [o for o in objectives if reported(o.status_counts)]
    if not with_reported:
        return locale.say(_("None of the {count} objectives has a reported KPI."), count=len(objectives))

    def share_of(status: str) -> Callable[[ObjectiveResult], Fraction]:
        return lambda o: Fraction(o.status_counts[status], reported(o.status_counts))

    def named(results: list[ObjectiveResult], status: str) -> str:
        """"R2 (1 of 5)", or "INT3 (6 of 15) and INT4 (4 of 10)": the objectives sharing an extreme."""
        return locale.join(locale.say(_("{code} ({count} of {reported})"), code=o.objective.code,
                                      count=o.status_counts[status], reported=reported(o.status_counts))
                           for o in results)

    def percent(value: Fraction) -> str:
        return locale.percent(float(value))

    achieved = share_of("achieved")
    lowest, highest = _extremes(with_reported, achieved, percent)
    if percent(achieved(lowest[0])) == percent(achieved(highest[0])):
        text = locale.say(_("In each of the {count} objectives with reported KPIs, the share of them achieved "
                            "is {share}."), count=len(with_reported), share=percent(achieved(lowest[0])))
    else:
        text = locale.say(_("Across the {count} objectives, the share of reported KPIs achieved ranges from "
                            "{lowest_share} in {lowest} to {highest_share} in {highest}."),
                          count=len(objectives), lowest_share=percent(achieved(lowest[0])),
                          lowest=named(lowest, "achieved"), highest_share=percent(achieved(highest[0])),
                          highest=named(highest, "achieved"))
    not_achieved = share_of("not achieved")
    _fewest, most = _extremes(with_reported, not_achieved, percent)
    if not not_achieved(most[0]):
        return text
    if len(most) == len(with_reported) > 1:  # all alike: no list of every objective
        text += " " + locale.say(_("The share of reported KPIs not achieved is {share} in every objective "
                                   "with reported KPIs."),
                                 share=percent(not_achieved(most[0])))
    else:
        text += " " + locale.say(_("The share of reported KPIs not achieved is highest, {share}, in "
                                   "{objectives}."), share=percent(not_achieved(most[0])),
                                 objectives=named(most, "not achieved"))
    return text


def _extremes(results: list[ObjectiveResult], measure: Callable[[ObjectiveResult], Fraction],
              shown: Callable[[Fraction], str]) -> tuple[list[ObjectiveResult], list[ObjectiveResult]]:
    """The results at the lowest `measure` and those at the highest, in the chart's order: every
    result whose share is written (`shown`) as the extreme's is, so that a reader checking the
    table finds no objective left out of a tie."""
    values = [measure(r) for r in results]
    low, high = shown(min(values)), shown(max(values))
    return ([r for r, v in zip(results, values) if shown(v) == low],
            [r for r, v in zip(results, values) if shown(v) == high])
