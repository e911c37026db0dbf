"""Chart "Objectives and the goals they serve": the plan's links of objectives to goals (its
Table 8.1 in 2008-2011) as a matrix, objectives (rows) × goals (columns); a linked cell carries
the objective's class of results (share of its reported KPIs achieved, as colour and symbol); a
last row gives each goal's class.
"""

from __future__ import annotations

from reportgen.charts.bidi import drawn, label_or_placeholder
from reportgen.charts.canvas import WIDTH, Canvas
from reportgen.charts.counts import reported, share
from reportgen.charts.figure import CODE_COLUMN, LINE, MAX_LINES, Chart, svg_document
from reportgen.charts.legend import legend
from reportgen.charts.palette import BAND, INK, MUTED, text_colour_on
from reportgen.charts.text import clean, text_width, wrap
from reportgen.charts.words import _, with_key
from reportgen.model import ReportModel, StatusCounts
from reportgen.render.locale import ENGLISH, Locale
from reportgen.settings import Thresholds

# An objective's results as the share of its reported KPIs achieved.
# (lower bound, label, icon, colour), best first; below the last bound is the worst class.
# The labels are English msgids: translate them where they are shown.
MATRIX_CLASSES = (
    (1 / 2, _("half or more achieved"), "●", "#009E73"),
    (1 / 3, _("a third to a half achieved"), "◐", "#E69F00"),
    (0.0, _("under a third achieved"), "○", "#D55E00"),
)
MATRIX_NO_DATA = (_("no KPI reported"), "–", "#999999")
GOAL_COLUMN = 28.0  # one goal's column of cells
TITLE_SIZE, TITLE_LINE = 9.5, 11.5  # an objective's title, wrapped to the room left of the cells


def draw(model: ReportModel, thresholds: Thresholds, locale: Locale) -> dict[str, Chart]:
    """The registry's entry (see reportgen.charts): key `goals_matrix`."""
    return {"goals_matrix": goals_matrix(model, locale)}


def matrix_class(counts: StatusCounts) -> tuple[str, str, str]:
    """(label, icon, colour) of a share of reported KPIs achieved; see MATRIX_CLASSES.
    The label is the English msgid: translate it where it is shown."""
    achieved = share(counts.get("achieved", 0), reported(counts))
    if achieved is None:
        return MATRIX_NO_DATA
    for bound, label, icon, colour in MATRIX_CLASSES:
        if achieved >= bound - 1e-12:
            return label, icon, colour
    return MATRIX_CLASSES[-1][1:]


def goals_matrix(model: ReportModel, locale: Locale = ENGLISH) -> Chart:
    """The plan's links of objectives to goals (its Table 8.1 in 2008-2011) as a matrix: objectives
    (rows) × goals (columns); a linked cell carries the objective's class of results (colour and
    symbol); a last row gives each goal's class."""
    chart_id = "goals-matrix"
    title = locale.say(_("Objectives and the goals they serve ({links}), by share of KPIs achieved, {year}"),
                       links=model.plan.mandate.goals_table, year=model.year)
    goals = model.plan.goals
    col_width = GOAL_COLUMN
    col_left = WIDTH - col_width * len(goals)
    label_width = col_left - 8
    row, header_row = 19.0, 19.0

    def achieved_of(achieved: int, reported: int) -> str:
        if not reported:
            return locale.gettext(MATRIX_NO_DATA[0])
        return locale.say(_("{achieved} of {reported} ({share})"), achieved=achieved, reported=reported,
                          share=locale.percent(share(achieved, reported)))

    canvas = Canvas(locale.rtl)
    classes = [(c[3], drawn(f"{c[2]} {locale.gettext(c[1])}", c[2])) for c in MATRIX_CLASSES]
    classes.append((MATRIX_NO_DATA[2], drawn(f"{MATRIX_NO_DATA[1]} {locale.gettext(MATRIX_NO_DATA[0])}",
                                             MATRIX_NO_DATA[1])))
    heading = wrap(drawn(locale.say(_("Share of an objective's reported KPIs achieved:"))), WIDTH, 10.5, MAX_LINES)
    heading = [line for line in heading if line]
    for index, line in enumerate(heading):
        canvas.text(0, 12 + LINE * index, line, font_size=10.5, fill=MUTED)
    y = legend(canvas, 20 + LINE * max(len(heading) - 1, 0), classes)
    y += 4
    for index, goal in enumerate(goals):
        canvas.text(col_left + col_width * (index + 0.5), y + 12, goal.code, font_weight="bold",
                    text_anchor="middle")
    y += 18
    canvas.line(0, y, WIDTH, y, stroke=INK, stroke_width=1)
    band = False
    linked = locale.say(_("linked"))
    table: list[tuple[str, ...]] = [(locale.say(_("Objective")), *(g.code for g in goals),
                                     locale.say(_("KPIs achieved")), locale.say(_("KPIs reported")),
                                     locale.say(_("Share achieved")))]
    for sector in model.sectors:
        names = wrap(label_or_placeholder(sector.sector.name, sector.sector.code), WIDTH, 11, MAX_LINES, bold=True)
        for index, name in enumerate(names):
            canvas.text(0, y + 14 + LINE * index, name, font_weight="bold", font_size=11)
        y += header_row + LINE * (len(names) - 1)
        for result in sector.objectives:
            objective, counts = result.objective, result.status_counts
            achieved, reported_count = counts["achieved"], reported(counts)
            lines = wrap(label_or_placeholder(objective.title, ""), label_width - CODE_COLUMN, TITLE_SIZE, MAX_LINES)
            height = row + TITLE_LINE * (len(lines) - 1)
            if band:
                canvas.rect(0, y, WIDTH, height, fill=BAND)
            band = not band
            canvas.text(0, y + 14, objective.code, font_weight="bold", font_size=10.5)
            for index, line in enumerate(lines):
                canvas.text(CODE_COLUMN, y + 14 + TITLE_LINE * index, line, font_size=TITLE_SIZE)
            label, icon, colour = matrix_class(counts)
            canvas.open("g")
            canvas.title(locale.say(_("{code} serves {goals}: {label} ({share})"), code=objective.code,
                                    goals=locale.join(objective.goals), label=locale.gettext(label),
                                    share=achieved_of(achieved, reported_count)))
            for index, goal in enumerate(goals):
                if goal.code in objective.goals:
                    _matrix_cell(canvas, col_left + col_width * index, y, col_width, height, colour, icon)
            canvas.close("g")
            table.append((f"{objective.code} {clean(objective.title)}",
                          *(linked if g.code in objective.goals else "" for g in goals),
                          str(achieved), str(reported_count), locale.percent(share(achieved, reported_count))))
            y += height
    canvas.line(0, y + 2, WIDTH, y + 2, stroke=INK, stroke_width=1)
    y += 6
    every = wrap(drawn(locale.say(_("All KPIs serving the goal (each counted once)")), "Σ"), label_width, 10.5,
                 MAX_LINES, bold=True)
    for index, line in enumerate(every):
        canvas.text(0, y + 14 + LINE * index, line, font_size=10.5, font_weight="bold")
    height = row + LINE * (len(every) - 1)
    goal_row: list[str] = [locale.say(_("All KPIs serving the goal"))]
    for index, result in enumerate(model.goals):
        label, icon, colour = matrix_class(result.status_counts)
        x = col_left + col_width * index
        canvas.open("g")
        canvas.title(f"{result.goal.code} {result.goal.title}: {locale.gettext(label)}")
        _matrix_cell(canvas, x, y, col_width, row, colour, icon)
        canvas.close("g")
        achieved, reported_count = result.status_counts["achieved"], reported(result.status_counts)
        canvas.text(x + col_width / 2, y + row + 12, locale.percent(share(achieved, reported_count)),
                    font_size=9.5, text_anchor="middle")
        goal_row.append(achieved_of(achieved, reported_count))
    table.append((*goal_row, "", "", ""))
    y += max(height, row + 16) + 8
    for goal in goals:
        code_width = text_width(goal.code + "\u00a0", 10, bold=True)
        lines = wrap(label_or_placeholder(goal.title, ""), WIDTH - code_width, 10, MAX_LINES)
        canvas.rich_text(0, y, [(goal.code, {"font_weight": "bold"}), ("\u00a0" + lines[0], {})], font_size=10)
        for line in lines[1:]:
            y += 13
            canvas.text(code_width, y, line, font_size=10)
        y += 14
    every = locale.say(_("All KPIs serving the goal (each counted once)"))
    alt = with_key(_matrix_alt(model, locale), locale,
                   [*(f"{c[2]} {locale.gettext(c[1])}" for c in MATRIX_CLASSES),
                    f"{MATRIX_NO_DATA[1]} {locale.gettext(MATRIX_NO_DATA[0])}", f"Σ {every}"])
    return Chart(chart_id, title, alt, svg_document(chart_id, y, title, alt, canvas.markup(), rtl=locale.rtl),
                 tuple(table))


def _matrix_cell(canvas: Canvas, x: float, y: float, width: float, height: float, colour: str,
                 icon: str) -> None:
    canvas.rect(x + 4, y + 2, width - 8, height - 4, fill=colour, rx=2)
    canvas.text(x + width / 2, y + height / 2 + 4.5, icon, font_size=11, text_anchor="middle",
                fill=text_colour_on(colour))


def _matrix_alt(model: ReportModel, locale: Locale) -> str:
    objectives = model.objectives
    links = [len(o.objective.goals) for o in objectives]
    text = locale.say(_("Each of the {count} objectives serves {fewest} to {most} of the {goals} goals."),
                      count=len(objectives), fewest=min(links, default=0), most=max(links, default=0),
                      goals=len(model.goals))
    goal_shares = [(g, share(g.status_counts["achieved"], reported(g.status_counts))) for g in model.goals]
    known = [(g, s) for g, s in goal_shares if s is not None]
    if known:
        low = min(known, key=lambda item: item[1])
        high = max(known, key=lambda item: item[1])
        classes: dict[str, int] = {}
        for o in objectives:
            label = matrix_class(o.status_counts)[0]
            classes[label] = classes.get(label, 0) + 1
        order = [c[1] for c in MATRIX_CLASSES] + [MATRIX_NO_DATA[0]]
        spread = locale.join(locale.say(_("{count} {label}"), count=classes[label], label=locale.gettext(label))
                             for label in order if classes.get(label))
        text += " " + locale.say(_("By goal, the share of reported KPIs achieved ranges from {low_share} "
                                   "({low_goal}) to {high_share} ({high_goal}); by objective: {spread}."),
                                 low_share=locale.percent(low[1]), low_goal=low[0].goal.code,
                                 high_share=locale.percent(high[1]), high_goal=high[0].goal.code, spread=spread)
    return text
