"""Chart "Budget and expenditure by output", one per sector with finance: budget and
expenditure bars per output (thousands of CHF), and each output's execution (expenditure ÷
budget) against a 100 % reference, marked when over `overspend` or under `underspend`.
"""

from __future__ import annotations

import math

from reportgen.charts.bidi import drawn, label_or_placeholder
from reportgen.charts.canvas import WIDTH, Canvas, coord, safe_id
from reportgen.charts.figure import LINE, MAX_LINES, Chart, svg_document
from reportgen.charts.legend import legend, legend_width
from reportgen.charts.palette import BAND, GRID, INK, MUTED, RULE
from reportgen.charts.text import clean, text_width, wrap
from reportgen.charts.words import _, status_word, with_key
from reportgen.model import ReportModel
from reportgen.render.locale import ENGLISH, Locale
from reportgen.settings import Thresholds

BUDGET_FILL = "#D6E6F4"  # budget: pale fill with a blue outline; expenditure: solid blue
BUDGET_STROKE = "#0072B2"
SPENT_FILL = "#0072B2"
# Over- and under-spending: darkened Okabe-Ito vermilion and orange (the report's CSS uses the
# same), so the marks and their words reach 4.5:1 on white.
OVER_COLOUR = "#A33F00"
UNDER_COLOUR = "#8A5D00"


def draw(model: ReportModel, thresholds: Thresholds, locale: Locale) -> dict[str, Chart]:
    """The registry's entry (see reportgen.charts): `budget_<sector>` (budget_R, budget_INT…)
    for each sector with finance."""
    return {f"budget_{sector.sector.code}": budget_vs_expenditure(model, sector.sector.code, thresholds, locale)
            for sector in model.sectors if any(o.finance for o in sector.outputs)}


def budget_vs_expenditure(model: ReportModel, sector_code: str, thresholds: Thresholds | None = None,
                          locale: Locale = ENGLISH) -> Chart:
    """Budget and expenditure per output of one sector (thousands of CHF), with execution
    against a 100 % reference; outputs over `overspend` or under `underspend` are marked."""
    thresholds = thresholds or Thresholds()
    sector = next((s for s in model.sectors if s.sector.code == sector_code), None)
    if sector is None:
        raise KeyError(f"no sector {sector_code!r} in the model")
    chart_id = safe_id(f"budget-{sector_code}")
    title = locale.say(_("Budget and expenditure by output, {sector}, {year} (thousands of CHF)"),
                       sector=sector.sector.name, year=model.year)
    label_width = 196.0
    bars_left, bars_room = 204.0, 196.0  # bar lengths; value labels follow the bars
    exec_left, exec_width = 452.0, 130.0
    mark_left = exec_left + exec_width + 8
    row = 30.0
    finances = [o.finance for o in sector.outputs]
    amounts = [v for f in finances if f for v in (f.budget, f.expenditure) if v is not None]
    money_max = max(amounts, default=0.0) or 1.0
    executions = [f.execution for f in finances if f and f.execution is not None]
    exec_max = max(1.5, math.ceil(max(executions, default=0.0) * 4) / 4)
    exec_scale = exec_width / exec_max
    over, under = locale.percent(thresholds.overspend), locale.percent(thresholds.underspend)
    over_mark, under_mark = locale.say(_("over {limit}"), limit=over), locale.say(_("under {limit}"), limit=under)

    canvas = Canvas(locale.rtl)
    money_legend = [(BUDGET_FILL, drawn(locale.say(_("Budget")))),
                    (SPENT_FILL, drawn(locale.say(_("Expenditure"))))]
    y = legend(canvas, 2, money_legend)
    # Execution legend: symbols and words, after the swatches (on a new line when full).
    legend_left = legend_x = max(230.0, legend_width(money_legend) + 10)
    line = 0.0
    for shape, label, colour in (("dot", drawn(locale.say(_("execution within range")), f"{under}–{over}"), INK),
                                 ("up", drawn(over_mark, f"> {over}"), OVER_COLOUR),
                                 ("down", drawn(under_mark, f"< {under}"), UNDER_COLOUR)):
        if legend_x > legend_left and legend_x + 15 + text_width(label, 10.5) > WIDTH:
            legend_x, line = legend_left, line + 18
        _marker(canvas, shape, legend_x + 6, 8.5 + line, colour)
        canvas.text(legend_x + 15, 13 + line, label, font_size=10.5)
        legend_x += 30 + text_width(label, 10.5)
    y = max(y, 22 + line) + 4
    money_heading = wrap(drawn(locale.say(_("Budget and expenditure (thousands of CHF)")),
                               f"CHF (× {locale.number(1000)})"), exec_left - bars_left - 4, 10, MAX_LINES)
    exec_heading = wrap(drawn(locale.say(_("Execution (expenditure ÷ budget)")), "%"), WIDTH - exec_left, 10,
                        MAX_LINES)
    for left, lines in ((bars_left, money_heading), (exec_left, exec_heading)):
        for index, text in enumerate(lines):
            canvas.text(left, y + 10 + LINE * index, text, font_size=10, fill=MUTED)
    y += 16 + LINE * (max(len(money_heading), len(exec_heading)) - 1)
    axis_y = y + 10
    top = axis_y + 4

    # Each output's row: as tall as its name or its execution mark needs.
    no_finance = locale.say(_("no finance reported"))
    rows = []
    for output_result in sector.outputs:
        output, money = output_result.output, output_result.finance
        lines = wrap(label_or_placeholder(output.name, ""), label_width, 10, MAX_LINES,
                     first_line_width=label_width - text_width(output.code + "\u00a0", 10, bold=True))
        if money is None or (money.budget is None and money.expenditure is None):
            mark_lines = wrap(drawn(no_finance, "–"), exec_left - bars_left, 10, MAX_LINES)
        elif money.execution is not None:
            mark_lines = wrap(_mark_label(money.execution, thresholds, locale), WIDTH - mark_left, 10, MAX_LINES,
                              bold=not thresholds.underspend <= money.execution <= thresholds.overspend)
        else:
            mark_lines = []
        rows.append((output_result, lines, mark_lines, max(row, LINE * max(len(lines), len(mark_lines)) + 6)))
    height_rows = sum(r[3] for r in rows)
    bottom = top + height_rows
    # The execution scale: range band, 100 % reference, ticks.
    canvas.rect(exec_left + thresholds.underspend * exec_scale, top,
                (min(thresholds.overspend, exec_max) - thresholds.underspend) * exec_scale, height_rows,
                fill=BAND)
    tick = 0.0
    while tick <= exec_max + 1e-9:
        x = exec_left + tick * exec_scale
        canvas.text(x, axis_y, locale.percent(tick), font_size=9, text_anchor="middle", fill=MUTED)
        canvas.line(x, top, x, bottom, stroke=GRID, stroke_width=1)
        tick += 0.5
    for limit in (thresholds.underspend, thresholds.overspend):
        if limit <= exec_max:
            x = exec_left + limit * exec_scale
            canvas.line(x, top, x, bottom, stroke=MUTED, stroke_width=0.8, stroke_dasharray="3 2")
    x100 = exec_left + exec_scale
    canvas.line(x100, top - 2, x100, bottom, stroke=INK, stroke_width=1.5)

    table: list[tuple[str, ...]] = [(locale.say(_("Output")), locale.say(_("Budget (thousand CHF)")),
                                     locale.say(_("Expenditure (thousand CHF)")), locale.say(_("Execution")),
                                     locale.say(_("Mark")))]
    not_reported = drawn(status_word(locale, "not reported"), "–")
    y = top
    for output_result, lines, mark_lines, height in rows:
        output, money = output_result.output, output_result.finance
        middle = y + height / 2
        first_y = middle - LINE * (len(lines) - 1) / 2 + 4
        canvas.rich_text(0, first_y, [(output.code, {"font_weight": "bold"}), ("\u00a0" + lines[0], {})],
                         font_size=10)
        for index, text in enumerate(lines[1:], 1):
            canvas.text(0, first_y + LINE * index, text, font_size=10)
        mark_y = middle - LINE * (len(mark_lines) - 1) / 2 + 4
        if money is None or (money.budget is None and money.expenditure is None):
            for index, text in enumerate(mark_lines):
                canvas.text(bars_left, mark_y + LINE * index, text, font_size=10, font_style="italic", fill=MUTED)
            table.append((f"{output.code} {clean(output.name)}", "–", "–", "–", no_finance))
            y += height
            continue
        canvas.open("g")
        canvas.title(locale.say(_("{code} {name}: budget {budget}, expenditure {expenditure} thousand CHF, "
                                  "execution {execution}"), code=output.code, name=output.name,
                                budget=locale.number(money.budget), expenditure=locale.number(money.expenditure),
                                execution=locale.percent(money.execution)))
        bars_top = middle - row / 2
        for offset, amount, fill, stroke in ((4.0, money.budget, BUDGET_FILL, BUDGET_STROKE),
                                             (15.0, money.expenditure, SPENT_FILL, None)):
            if amount is None:
                canvas.text(bars_left, bars_top + offset + 9, not_reported, font_size=9, fill=MUTED)
                continue
            length = max(amount, 0.0) / money_max * bars_room
            canvas.rect(bars_left, bars_top + offset, length, 10, fill=fill, stroke=stroke,
                        stroke_width=0.8 if stroke else None)
            canvas.text(bars_left + length + 4, bars_top + offset + 9, locale.number(amount), font_size=9.5)
        mark = ""
        if money.execution is not None:
            execution = money.execution
            shape, colour = "dot", INK
            if execution > thresholds.overspend:
                shape, colour, mark = "up", OVER_COLOUR, over_mark
            elif execution < thresholds.underspend:
                shape, colour, mark = "down", UNDER_COLOUR, under_mark
            x = exec_left + min(max(execution, 0.0), exec_max) * exec_scale
            _marker(canvas, shape, x, middle, colour)
            for index, text in enumerate(mark_lines):
                canvas.text(mark_left, mark_y + LINE * index, text, font_size=10,
                            font_weight="bold" if mark else None, fill=colour if mark else INK)
        canvas.close("g")
        table.append((f"{output.code} {clean(output.name)}", locale.number(money.budget),
                      locale.number(money.expenditure), locale.percent(money.execution), mark))
        y += height
    canvas.line(bars_left, top, bars_left, bottom, stroke=RULE, stroke_width=1)
    alt = with_key(_budget_alt(sector, thresholds, locale), locale,
                   [locale.say(_("upper bar: budget")), locale.say(_("lower bar: expenditure")),
                    f"▲ {over_mark}", f"▼ {under_mark}"])
    return Chart(chart_id, title, alt, svg_document(chart_id, bottom + 6, title, alt, canvas.markup(), rtl=locale.rtl),
                 tuple(table))


def _mark_label(execution: float, thresholds: Thresholds, locale: Locale) -> str:
    """An output's execution as drawn beside the scale: "97%", "116% ▲ over", "55% ▼ under"."""
    share = locale.percent(execution)
    if execution > thresholds.overspend:
        return drawn(locale.say(_("{share} ▲ over"), share=share), f"{share} ▲")
    if execution < thresholds.underspend:
        return drawn(locale.say(_("{share} ▼ under"), share=share), f"{share} ▼")
    return share


def _marker(canvas: Canvas, shape: str, x: float, y: float, colour: str) -> None:
    """Execution as a shape: ● within range, ▲ over, ▼ under."""
    if shape == "up":
        canvas.element("path", d=f"M{coord(canvas.x(x))},{coord(y - 5.5)}l5.5,9.5h-11z", fill=colour)
    elif shape == "down":
        canvas.element("path", d=f"M{coord(canvas.x(x))},{coord(y + 5.5)}l5.5,-9.5h-11z", fill=colour)
    else:
        canvas.circle(x, y, 4, fill=colour)


def _budget_alt(sector, thresholds: Thresholds, locale: Locale) -> str:
    with_money = [o for o in sector.outputs if o.finance and o.finance.execution is not None]
    name = sector.sector.name
    if not with_money:
        return locale.say(_("No budget and expenditure were reported for the outputs of {sector}."), sector=name)
    text = locale.say(_("{sector} spent {expenditure} of its {budget} thousand CHF budget ({execution}) "
                        "across {count} outputs."),
                      sector=name, expenditure=locale.number(sector.expenditure),
                      budget=locale.number(sector.budget), execution=locale.percent(sector.execution),
                      count=len(with_money))
    over_items = [o for o in with_money if o.finance.execution > thresholds.overspend]
    under_items = [o for o in with_money if o.finance.execution < thresholds.underspend]

    def names(items: list) -> str:
        return locale.join(f"{o.output.code} ({locale.percent(o.finance.execution)})" for o in items)

    over, under = locale.percent(thresholds.overspend), locale.percent(thresholds.underspend)
    if over_items and under_items:
        more = locale.say(_("Execution over {over}: {over_outputs}; under {under}: {under_outputs}."),
                          over=over, over_outputs=names(over_items), under=under, under_outputs=names(under_items))
    elif over_items:
        more = locale.say(_("Execution over {over}: {outputs}."), over=over, outputs=names(over_items))
    elif under_items:
        more = locale.say(_("Execution under {under}: {outputs}."), under=under, outputs=names(under_items))
    else:
        more = locale.say(_("Every output spent between {under} and {over} of its budget."), under=under, over=over)
    return f"{text} {more}"
