"""SVG charts (reportgen/charts/), drawn from the 2009 sample model (with 2008 as history).

The SVGs are parsed back with xml.etree and checked for what an embedder and a reader rely
on: valid XML, an accessible name and description, nothing external, text escaped, bars
proportional to the numbers, the same numbers in the tables, byte-identical output; in Arabic
the geometry mirrored and every word Arabic; in every language no label cut, and labels measured
as WeasyPrint lays them out.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

import pytest

from reportgen import charts
from reportgen.charts import Chart, figure_html
from reportgen.charts.bidi import has_rtl, isolate_rtl
from reportgen.charts.budget_vs_expenditure import budget_vs_expenditure
from reportgen.charts.canvas import Canvas
from reportgen.charts.goals_matrix import MATRIX_CLASSES, MATRIX_NO_DATA, goals_matrix, matrix_class
from reportgen.charts.palette import INK, STATUS_COLOURS, contrast_ratio, text_colour_on
from reportgen.charts.status_by_objective import status_by_objective
from reportgen.charts.text import text_width, truncate, wrap
from reportgen.charts.trends import kpi_trends
from reportgen.i18n import catalogues as i18n
from reportgen.pipeline.build import Options, Timings, assemble, load_inputs
from reportgen.model import STATUSES, KPIResult, ReportModel
from reportgen.render import locale as locale_module
from reportgen.render.locale import ENGLISH, Locale, locale_for
from reportgen.render.symbols import STATUS_ICONS
from reportgen.render.localised import localised_model as in_language
from reportgen.settings import Thresholds

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & <b>Co</b> \'quoted\' \x0b\x00 end'


def build_model(year: int = 2009) -> ReportModel:
    """The English model, as the build gives it to the charts (render.LanguagePage)."""
    config, returns = load_inputs(year, Options(inputs=INPUTS), Timings())
    return in_language(assemble(config, returns, Timings()), "en")


@pytest.fixture(scope="module")
def inputs() -> tuple:
    if not (INPUTS / "2009").is_dir():
        pytest.skip("sample inputs not available")
    config, returns = load_inputs(2009, Options(inputs=INPUTS), Timings())
    return config, returns, assemble(config, returns, Timings())


@pytest.fixture(scope="module")
def model(inputs: tuple) -> ReportModel:
    return in_language(inputs[2], "en")


class FakeCatalogue:
    """A catalogue whose translation of every text is `translate(text)`."""

    def __init__(self, translate: Callable[[str], str]) -> None:
        self.translate = translate

    def gettext(self, message: str) -> str:
        return self.translate(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translate(singular if count == 1 else plural)


def fake_locale(language: str, translate: Callable[[str], str]) -> Locale:
    return Locale(language, FakeCatalogue(translate))


def localised_model(inputs: tuple, lang: str) -> ReportModel:
    """The model as render.LanguagePage gives it to the charts: the plan's texts in `lang`."""
    return in_language(inputs[2], lang)


@pytest.fixture(scope="module")
def all_charts(model: ReportModel) -> dict[str, Chart]:
    return charts.all_charts(model)


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def without_isolates(text: str) -> str:
    """A label without the bidi isolates a right-to-left chart puts around it."""
    return re.sub("[\u2066-\u2069]", "", text)


def group_titled(root: ET.Element, prefix: str) -> ET.Element:
    """The <g> whose own <title> starts with `prefix`."""
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is not None and (title.text or "").startswith(prefix):
            return group
    raise AssertionError(f"no group titled {prefix!r}")


def with_kpis(model: ReportModel, change: Callable[[int, KPIResult], KPIResult]) -> ReportModel:
    """The model with every KPI passed through `change(index, kpi)`, wherever the model holds it."""
    new = {id(k): change(i, k) for i, k in enumerate(model.kpis)}
    swap = lambda k: new.get(id(k), k)  # noqa: E731
    sectors = tuple(
        dataclasses.replace(s, outputs=tuple(
            dataclasses.replace(o, kpis=tuple(swap(k) for k in o.kpis)) for o in s.outputs))
        for s in model.sectors)
    return dataclasses.replace(model, kpis=tuple(swap(k) for k in model.kpis), sectors=sectors)


def with_kpi_name(model: ReportModel, index: int, name: str) -> ReportModel:
    """The model with KPI `index` renamed, wherever the model holds that KPI."""
    return with_kpis(model, lambda i, k: dataclasses.replace(k, entry=dataclasses.replace(k.entry, kpi=name))
                     if i == index else k)


def svg_texts(chart: Chart) -> list[str]:
    """Every text of a chart's SVG: drawn (<text>) and not drawn (<title>, <desc>)."""
    root = parse(chart)
    return [*texts(root), *("".join(e.itertext()) for e in root.iter() if e.tag in (f"{SVG}title", f"{SVG}desc"))]


# ------------------------------------------------------------------------------- every chart


def test_all_charts_keys(all_charts: dict[str, Chart]) -> None:
    assert list(all_charts) == ["status_by_objective", "budget_R", "budget_T", "budget_D", "budget_INT",
                                "goals_matrix", "trends_R", "trends_T", "trends_D", "trends_INT"]


def test_every_svg_is_valid_xml_with_title_desc_and_role(all_charts: dict[str, Chart]) -> None:
    for key, chart in all_charts.items():
        root = parse(chart)
        assert root.tag == f"{SVG}svg", key
        assert root.get("role") == "img"
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox") or ""), key
        assert root.get("width") == "100%" and root.get("height") is None
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and desc is not None, key
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart.title and desc.text == chart.alt
        assert "DejaVu Sans" in root.get("font-family", "")
        assert chart.alt.count(".") <= 3 and re.search(r"\d", chart.alt), key  # a finding, with numbers


def test_nothing_external_and_no_script(all_charts: dict[str, Chart]) -> None:
    for key, chart in all_charts.items():
        root = parse(chart)
        for element in root.iter():
            assert not element.tag.endswith(("script", "foreignObject", "image", "use", "style")), key
            for name, value in element.attrib.items():
                assert not name.endswith("href"), (key, name)
                assert not name.startswith("on"), (key, name)
                for url in re.findall(r"url\(([^)]*)\)", value):
                    assert url.startswith("#"), (key, url)
        assert "@import" not in chart.svg and "http://" not in chart.svg.replace(
            'xmlns="http://www.w3.org/2000/svg"', "")


def test_ids_are_unique_on_one_page_and_derive_from_the_chart_id(all_charts: dict[str, Chart]) -> None:
    ids: list[str] = []
    for chart in all_charts.values():
        own = [e.get("id") for e in parse(chart).iter() if e.get("id")]
        assert all(i.startswith(chart.id + "-") for i in own), own
        ids += own
    assert len(ids) == len(set(ids))
    for chart in all_charts.values():
        for ref in re.findall(r"url\(#([^)]*)\)", chart.svg):
            assert ref in ids


def test_output_is_deterministic(model: ReportModel, all_charts: dict[str, Chart]) -> None:
    again = charts.all_charts(model)
    assert {k: c.svg for k, c in again.items()} == {k: c.svg for k, c in all_charts.items()}
    rebuilt = charts.all_charts(build_model())  # a fresh model from the same workbooks
    assert [c.svg for c in rebuilt.values()] == [c.svg for c in all_charts.values()]
    assert [c.table for c in rebuilt.values()] == [c.table for c in all_charts.values()]


def test_text_colour_contrasts_with_every_fill() -> None:
    fills = [*STATUS_COLOURS.values(), *(c[3] for c in MATRIX_CLASSES), MATRIX_NO_DATA[2]]
    for fill in fills:
        assert contrast_ratio(text_colour_on(fill), fill) >= 4.5, fill
    assert text_colour_on("#0072B2") == "#ffffff"


def test_text_on_the_page_background_is_readable(all_charts: dict[str, Chart]) -> None:
    """Text drawn straight on white (not inside a coloured segment or cell) reaches 4.5:1."""
    for key, chart in all_charts.items():
        for text in parse(chart).iter(f"{SVG}text"):
            fill = text.get("fill", INK)
            if fill in ("#000000", "#ffffff"):  # inside a fill, chosen by text_colour_on
                continue
            assert contrast_ratio(fill, "#ffffff") >= 4.5, (key, fill, "".join(text.itertext()))


# ------------------------------------------------------------------------------- escaping


def test_workbook_text_is_escaped(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    evil_model = with_kpi_name(model, index, EVIL)
    kpi = evil_model.kpis[index]
    result = charts.all_charts(evil_model)
    trends = result[f"trends_{kpi.entry.sector}"]
    assert "<script" not in trends.svg and "<b>" not in trends.svg
    assert "&lt;script&gt;" in trends.svg and "&amp;" in trends.svg
    root = parse(trends)  # still valid XML: markup escaped, XML-invalid characters dropped
    assert not list(root.iter(f"{SVG}script"))
    title = group_titled(root, kpi.entry.output + " <script>").find(f"{SVG}title")
    assert '<script>alert("x")</script> & <b>Co</b> \'quoted\' end' in title.text  # the full name
    row = next(r for r in trends.table if r[1].startswith("<script>"))
    assert row[1] == '<script>alert("x")</script> & <b>Co</b> \'quoted\' end'


def test_output_and_objective_names_are_escaped(model: ReportModel) -> None:
    sector = model.sectors[0]
    output = sector.outputs[0]
    renamed = dataclasses.replace(output, output=dataclasses.replace(output.output, name='A & B <x y="1">'))
    objective = sector.objectives[0]
    retitled = dataclasses.replace(objective, objective=dataclasses.replace(objective.objective,
                                                                            title="Q&A <i>"))
    sector = dataclasses.replace(sector, outputs=(renamed, *sector.outputs[1:]),
                                 objectives=(retitled, *sector.objectives[1:]))
    odd = dataclasses.replace(model, sectors=(sector, *model.sectors[1:]))
    budget = budget_vs_expenditure(odd, sector.sector.code)
    status = status_by_objective(odd)
    matrix = goals_matrix(odd)
    for chart in (budget, status, matrix):
        parse(chart)
        assert "<x " not in chart.svg and "<i>" not in chart.svg
    assert any("A & B" in t for t in texts(parse(budget)))
    assert any("Q&A <i>" in t for t in texts(parse(status)))


@pytest.fixture
def letter_by_letter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WeasyPrint that `svgtext` cannot patch: SVG text would be drawn letter by letter."""
    from reportgen.render import svgtext
    monkeypatch.setattr(svgtext, "supported", lambda: False)


def test_right_to_left_names_are_drawn_when_svg_text_is_shaped(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    arabic = "نسبة الدول الأعضاء التي ردت على الاستبيان"
    chart = kpi_trends(with_kpi_name(model, index, arabic))[0]
    group = group_titled(parse(chart), f"{model.kpis[index].entry.output} {arabic}")
    drawn = " ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))
    assert "نسبة الدول" in drawn and "see the table" not in drawn


def test_right_to_left_labels_are_bidi_isolates() -> None:
    """In an Arabic chart a label is a right-to-left paragraph of its own ("2009: 93 · target 90"
    reads year first from the right); in a left-to-right chart, Arabic workbook text is a
    first-strong isolate that leaves the English around it in place."""
    assert isolate_rtl("2009: 93 · القيمة المستهدفة 90") == "\u20672009: 93 · القيمة المستهدفة 90\u2069"
    assert isolate_rtl("\u00a0قطاع (ITU-R) ") == "\u00a0\u2067قطاع (ITU-R)\u2069 "  # the gap stays outside
    assert isolate_rtl("نسبة", rtl_chart=False) == "\u2068نسبة\u2069"
    assert isolate_rtl("R-01 Budget 3,840") == "R-01 Budget 3,840"
    for rtl, opener in ((True, "\u2067"), (False, "\u2068")):
        canvas = Canvas(rtl)
        canvas.rich_text(0, 10, [("R-01", {"font_weight": "bold"}), ("\u00a0نسبة الدول", {})])
        canvas.text(0, 20, "قطاع الاتصالات")
        assert canvas.markup().count(opener) == 2 and canvas.markup().count("\u2069") == 2
        # Right to left, the code comes first from the right: written last, the text hanging from its end.
        assert (f'text-anchor="end">{opener}نسبة الدول\u2069\u00a0<tspan font-weight="bold">R-01</tspan>' if rtl
                else f'<tspan font-weight="bold">R-01</tspan>\u00a0{opener}نسبة الدول\u2069') in canvas.markup()
    # Bidi controls typed in a workbook cannot break the chart's own isolates.
    canvas = Canvas(True)
    canvas.text(0, 0, "نسبة\u2069\u202e x")
    assert canvas.markup().count("\u2069") == 1 and "\u202e" not in canvas.markup()


def test_an_arabic_unit_in_an_english_chart_leaves_the_english_in_place(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    lower = with_kpis(model, lambda i, k: dataclasses.replace(
        k, entry=dataclasses.replace(k.entry, unit="أيام", direction="lower")) if i == index else k)
    chart = kpi_trends(lower)[0]
    svg = chart.svg
    assert "\u2068أيام\u2069\u00a0· lower is better" in svg  # the unit isolated, the English after it


@pytest.mark.usefixtures("letter_by_letter")
def test_right_to_left_names_stay_out_of_the_drawn_labels(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    arabic = "نسبة الدول الأعضاء التي ردت على الاستبيان"
    chart = kpi_trends(with_kpi_name(model, index, arabic))[0]
    group = group_titled(parse(chart), f"{model.kpis[index].entry.output} {arabic}")
    drawn = " ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))
    assert "right-to-left name: see the table" in drawn and not has_rtl(drawn)
    assert any(row[1] == arabic for row in chart.table)


@pytest.mark.usefixtures("letter_by_letter")
def test_right_to_left_plan_titles_are_left_out_of_the_drawing(model: ReportModel) -> None:
    sector = model.sectors[0]
    objective = sector.objectives[0]
    arabic = dataclasses.replace(objective, objective=dataclasses.replace(objective.objective,
                                                                          title="تعزيز التنسيق"))
    sector = dataclasses.replace(sector, sector=dataclasses.replace(sector.sector, name="قطاع الاتصالات"),
                                 objectives=(arabic, *sector.objectives[1:]))
    odd = dataclasses.replace(model, sectors=(sector, *model.sectors[1:]))
    for chart in (status_by_objective(odd), goals_matrix(odd)):
        drawn = texts(parse(chart))
        assert not any(has_rtl(t) for t in drawn)
        assert "R" in drawn and "R1" in drawn  # the codes stay
        assert any(row[0] == "R1 تعزيز التنسيق" for row in chart.table)


def test_figure_html_escapes_the_table(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    chart = kpi_trends(with_kpi_name(model, index, EVIL))[0]
    html = figure_html(chart, "Figure 3.")
    assert "<script" not in html.replace(chart.svg, "")
    assert html.startswith(f'<figure class="chart" id="{chart.id}"><figcaption>Figure 3. ')


# ------------------------------------------------------------------------------- chart 1


def test_status_bars_are_proportional_to_the_counts(model: ReportModel) -> None:
    root = parse(status_by_objective(model))
    pairs: list[tuple[float, int]] = []
    for result in model.objectives:
        code = result.objective.code
        rects = group_titled(root, f"{code} ").findall(f"{SVG}rect")
        shown = [s for s in STATUSES if result.status_counts[s]]
        assert len(rects) == len(shown), code
        for rect, status in zip(rects, shown):
            fill = rect.get("fill")
            assert fill == STATUS_COLOURS[status] or fill.endswith(f"-{status.replace(' ', '-')})")
            pairs.append((float(rect.get("width")), result.status_counts[status]))
        # Segments follow one another without gaps.
        xs = [float(r.get("x")) for r in rects]
        ends = [float(r.get("x")) + float(r.get("width")) for r in rects]
        assert all(abs(a - b) < 0.11 for a, b in zip(xs[1:], ends))
    # One scale for every objective (widths are written with one decimal).
    scale = max(pairs, key=lambda p: p[1])[0] / max(pairs, key=lambda p: p[1])[1]
    assert all(abs(width - count * scale) <= 0.1 for width, count in pairs)


def test_status_chart_groups_by_sector_and_states_the_total(model: ReportModel) -> None:
    chart = status_by_objective(model)
    all_text = texts(parse(chart))
    for sector in model.sectors:
        assert sector.sector.name in all_text
    r1 = next(o for o in model.objectives if o.objective.code == "R1")
    title = group_titled(parse(chart), "R1 ").find(f"{SVG}title").text
    assert f"{r1.status_counts['achieved']} achieved" in title


def test_status_legend_has_words_and_icons(model: ReportModel) -> None:
    all_text = texts(parse(status_by_objective(model)))
    for status in STATUSES:
        assert f"{STATUS_ICONS[status]} {status}" in all_text


def test_status_segments_carry_icon_or_pattern(model: ReportModel) -> None:
    root = parse(status_by_objective(model))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert len(patterns) == 3  # partially, not achieved, not reported: textured; achieved: solid
    d1 = group_titled(root, "D1 ")
    labels = ["".join(t.itertext()) for t in d1.iter(f"{SVG}text")]
    assert "●\u200912" in labels and "◐\u200913" in labels


def test_status_table_equals_the_model(model: ReportModel) -> None:
    table = status_by_objective(model).table
    assert table[0][:6] == ("Objective", "Achieved", "Partially achieved", "Not achieved", "Not reported",
                            "Total KPIs")
    assert len(table) == 1 + len(model.objectives) == 25
    for row, result in zip(table[1:], model.objectives):
        assert row[0] == f"{result.objective.code} {result.objective.title}"
        assert [int(c) for c in row[1:5]] == [result.status_counts[s] for s in STATUSES]
        assert int(row[5]) == sum(result.status_counts.values())


def test_status_alt_names_the_extremes(model: ReportModel) -> None:
    alt = status_by_objective(model).alt
    assert alt.startswith("Across the 24 objectives, the share of reported KPIs achieved ranges from ")
    assert "20% (R2, 1 of 5)" in alt and "67% (R4, 2 of 3)" in alt


# ------------------------------------------------------------------------------- chart 2


def test_budget_table_and_marks_equal_the_model(model: ReportModel) -> None:
    thresholds = Thresholds()
    for sector in model.sectors:
        chart = budget_vs_expenditure(model, sector.sector.code)
        assert chart.table[0] == ("Output", "Budget (thousand CHF)", "Expenditure (thousand CHF)",
                                  "Execution", "Mark")
        for row, output in zip(chart.table[1:], sector.outputs):
            money = output.finance
            assert row[0].startswith(output.output.code + " ")
            assert float(row[1].replace(",", "")) == money.budget
            assert float(row[2].replace(",", "")) == money.expenditure
            assert row[3] == f"{money.execution * 100:.0f}%"
            expected = ("over 110%" if money.execution > thresholds.overspend
                        else "under 70%" if money.execution < thresholds.underspend else "")
            assert row[4] == expected


def test_budget_marks_are_symbol_and_text(model: ReportModel) -> None:
    chart = budget_vs_expenditure(model, "R")
    root = parse(chart)
    over = "".join(group_titled(root, "R-03 ").itertext())
    under = "".join(group_titled(root, "R-02 ").itertext())
    assert "116% ▲ over" in over and "55% ▼ under" in under
    assert "Budget" in texts(root) and "Expenditure" in texts(root)
    assert "over 110%" in texts(root) and "under 70%" in texts(root)
    assert "R-03 (116%)" in chart.alt and "R-02 (55%)" in chart.alt


def test_budget_bars_are_proportional(model: ReportModel) -> None:
    root = parse(budget_vs_expenditure(model, "T"))
    pairs: list[tuple[float, float]] = []
    for output in model.sectors[1].outputs:
        rects = group_titled(root, output.output.code + " ").findall(f"{SVG}rect")
        budget, spent = (float(r.get("width")) for r in rects)
        pairs += [(budget, output.finance.budget), (spent, output.finance.expenditure)]
    scale = max(pairs, key=lambda p: p[1])[0] / max(pairs, key=lambda p: p[1])[1]
    assert all(abs(width - amount * scale) <= 0.1 for width, amount in pairs)


def test_budget_thresholds_can_change(model: ReportModel) -> None:
    chart = budget_vs_expenditure(model, "R", Thresholds(overspend=1.0, underspend=0.9))
    marks = [row[4] for row in chart.table[1:]]
    assert marks.count("over 100%") == 2
    assert "under 90%" in marks


def test_unknown_sector_is_a_key_error(model: ReportModel) -> None:
    with pytest.raises(KeyError, match="no sector 'X'"):
        budget_vs_expenditure(model, "X")


def test_output_without_finance_is_said_so(model: ReportModel) -> None:
    sector = model.sectors[3]
    bare = dataclasses.replace(sector, outputs=tuple(dataclasses.replace(o, finance=None)
                                                     if o.output.code == "INT-02" else o
                                                     for o in sector.outputs))
    odd = dataclasses.replace(model, sectors=(*model.sectors[:3], bare))
    chart = budget_vs_expenditure(odd, "INT")
    assert "no finance reported" in texts(parse(chart))
    assert ("INT-02 Council and working groups", "–", "–", "–", "no finance reported") in chart.table


# ------------------------------------------------------------------------------- chart 3


def test_matrix_links_follow_table_8_1(model: ReportModel) -> None:
    chart = goals_matrix(model)
    root = parse(chart)
    goals = [g.code for g in model.plan.goals]
    assert chart.table[0][:8] == ("Objective", *goals)
    for row, result in zip(chart.table[1:], model.objectives):
        objective = result.objective
        assert row[0].startswith(objective.code + " ")
        assert [g for g, cell in zip(goals, row[1:8]) if cell == "linked"] == list(objective.goals)
        cells = group_titled(root, f"{objective.code} serves").findall(f"{SVG}rect")
        assert len(cells) == len(objective.goals)
        label, icon, colour = matrix_class(result.status_counts)
        assert {c.get("fill") for c in cells} == {colour}
        symbols = {"".join(t.itertext()) for t in group_titled(root, f"{objective.code} serves").iter(f"{SVG}text")}
        assert symbols == {icon}
        assert int(row[8]) == result.status_counts["achieved"]


def test_matrix_classes() -> None:
    assert matrix_class({"achieved": 2, "not achieved": 2, "partially achieved": 0,
                                "not reported": 5})[0] == "half or more achieved"
    assert matrix_class({"achieved": 1, "not achieved": 2, "partially achieved": 0,
                                "not reported": 0})[0] == "a third to a half achieved"
    assert matrix_class({"achieved": 1, "not achieved": 3, "partially achieved": 0,
                                "not reported": 0})[0] == "under a third achieved"
    assert matrix_class({s: 0 for s in STATUSES} | {"not reported": 3})[0] == "no KPI reported"


def test_matrix_legend_and_goal_row(model: ReportModel) -> None:
    chart = goals_matrix(model)
    all_text = texts(parse(chart))
    for _, label, icon, _ in MATRIX_CLASSES:
        assert f"{icon} {label}" in all_text
    last = chart.table[-1]
    assert last[0] == "All KPIs serving the goal"
    g1 = model.goals[0].status_counts
    assert last[1].startswith(f"{g1['achieved']} of {sum(g1.values()) - g1['not reported']} ")


# ------------------------------------------------------------------------------- chart 4


def test_trends_skip_kpis_without_history(model: ReportModel) -> None:
    trends = kpi_trends(model)
    assert [c.id for c in trends] == ["trends-R", "trends-T", "trends-D", "trends-INT"]
    total = 0
    for chart in trends:
        sector = chart.id.removeprefix("trends-")
        expected = [k for k in model.kpis if k.entry.sector == sector and k.history]
        cells = [g for g in parse(chart).iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
        assert len(cells) == len(expected) == len(chart.table) - 1
        total += len(expected)
    assert total == sum(1 for k in model.kpis if k.history) == 97


def test_trend_table_equals_history(model: ReportModel) -> None:
    chart = kpi_trends(model)[0]
    assert chart.table[0] == ("Output", "KPI", "Unit", "2008 target", "2008 actual", "2009 target",
                              "2009 actual", "Status 2009")
    kpis = [k for k in model.kpis if k.entry.sector == "R" and k.history]
    for row, kpi in zip(chart.table[1:], kpis):
        old = kpi.history[0]
        assert row[:3] == (kpi.entry.output, kpi.entry.kpi, kpi.entry.unit or "")
        assert row[3:7] == tuple(ENGLISH.number(v) for v in (old.target, old.actual, kpi.entry.target,
                                                                  kpi.entry.actual))
        assert row[7] == kpi.status


def test_a_long_kpi_name_is_wrapped_whole_and_only_a_very_long_one_cut(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    code = model.kpis[index].entry.output
    name = "Share of administrations that answered the questionnaire on the implementation of the plan"
    group = group_titled(parse(kpi_trends(with_kpi_name(model, index, name))[0]), f"{code} {name}")
    lines = ["".join(t.itertext()) for t in group.findall(f"{SVG}text")]
    shown = " ".join(lines[:4]).replace("\u00a0", " ")
    assert shown.startswith(f"{code} {name}") and "…" not in shown  # over three lines
    # Past four lines a name is cut (the full name stays in the tooltip and the table).
    endless = " ".join([name] * 3)
    group = group_titled(parse(kpi_trends(with_kpi_name(model, index, endless))[0]), f"{code} {endless}")
    lines = ["".join(t.itertext()) for t in group.findall(f"{SVG}text")]
    assert lines[3].endswith("…") and not lines[2].endswith("…")


def test_trend_markers_read_without_colour(model: ReportModel) -> None:
    root = parse(kpi_trends(model)[0])
    legend = texts(root)[:5]
    assert legend == [*STATUSES, "target"]


def test_trend_alt_counts_changes(model: ReportModel) -> None:
    for chart in kpi_trends(model):
        numbers = [int(n) for n in re.findall(r"(\d+) (?:improved|fell back|kept it|cannot)", chart.alt)]
        assert len(numbers) in (3, 4) and sum(numbers) == len(chart.table) - 1, chart.alt


# ------------------------------------------------------------------------------- languages

KEYS = ["status_by_objective", "budget_R", "budget_T", "budget_D", "budget_INT", "goals_matrix",
        "trends_R", "trends_T", "trends_D", "trends_INT"]


def marked(message: str) -> str:
    """A fake translation that shows where a fixed text went: «message»."""
    return f"«{message}»"


def arabic(message: str) -> str:
    """A fake, complete Arabic catalogue: every fixed text gets Arabic letters."""
    return f"ترجمة: {message}"


def outside_translations(text: str) -> list[str]:
    """The Latin words of `text` once every «…» (a translated text, nested or not, or one cut
    short with an ellipsis to fit) is taken out."""
    while (stripped := re.sub(r"«[^«»]*?(»|…)", "", text)) != text:
        text = stripped
    return re.findall(r"[A-Za-z]+", text)


def visible_texts(chart: Chart) -> list[str]:
    """What a reader meets: the title and alt text (HTML), the SVG's texts (the drawn ones as one
    text, since a label may be wrapped over two lines), every table cell."""
    root = parse(chart)
    not_drawn = ["".join(e.itertext()) for e in root.iter() if e.tag in (f"{SVG}title", f"{SVG}desc")]
    return [chart.title, chart.alt, "\n".join(texts(root)), *not_drawn,
            *(cell for row in chart.table for cell in row)]


def arabic_letters(text: str) -> bool:
    return any(unicodedata.category(c).startswith("L") and unicodedata.bidirectional(c) in ("R", "AL")
               for c in text)


def test_every_fixed_text_is_translated(inputs: tuple) -> None:
    """With the plan in Russian and the workbook texts (KPI names, units) in Cyrillic, no Latin word
    is left outside a translated «…» text but the plan's codes and acronyms: every fixed English
    word of the charts (titles, alt texts, legends, axis labels, tooltips, tables) goes through
    gettext, and as a whole sentence, with its numbers inside."""
    model = with_kpis(localised_model(inputs, "ru"), lambda i, k: dataclasses.replace(
        k, entry=dataclasses.replace(k.entry, kpi=f"Показатель {i}", unit="ед." if k.entry.unit else None)))
    plan = model.plan
    allowed = set()
    for text in [*(f"{g.code} {g.title}" for g in plan.goals),
                 *(f"{s.code} {s.name}" for s in plan.sectors),
                 *(f"{o.code} {o.title}" for s in plan.sectors for o in s.objectives),
                 *(f"{o.code} {o.name}" for s in plan.sectors for o in s.outputs)]:
        allowed |= set(re.findall(r"[A-Za-z]+", text))
    assert all(word.isupper() for word in allowed), allowed  # codes and acronyms only: a strict test
    result = charts.all_charts(model, locale=fake_locale("ru", marked))
    assert list(result) == KEYS
    for key, chart in result.items():
        assert chart.title.startswith("«") and chart.title.endswith("»"), key
        assert chart.alt.startswith("«") and chart.alt.endswith("»"), key
        assert all(c.startswith("«") or c in ("R", "T", "D", "INT") or re.fullmatch(r"G\d", c)
                   for c in chart.table[0]), (key, chart.table[0])
        for text in visible_texts(chart):
            left = [w for w in outside_translations(text) if w not in allowed]
            assert not left, (key, text, left)
    # Legends, axis label and status words are drawn translated.
    drawn = texts(parse(result["status_by_objective"]))
    assert "● «achieved»" in drawn and any(t.startswith("«Number of KPIs") for t in drawn)
    assert "«target»" in texts(parse(result["trends_R"]))


def test_every_marked_text_is_extracted_whole() -> None:
    """Each `_()` of the charts package holds one literal (no f-string, no concatenation at run
    time) with named placeholders only, and Babel's extractor finds it (it does not look inside
    f-strings)."""
    import ast

    from babel.messages.extract import extract_from_file

    marked_texts = set()
    extracted = set()
    for path in sorted(Path(charts.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant), ast.unparse(node)
                marked_texts.add(node.args[0].value)
        extracted |= {message for _, message, _, _ in extract_from_file("python", str(path), keywords=i18n.KEYWORDS)}
    assert marked_texts and marked_texts <= extracted, marked_texts - extracted
    for message in marked_texts:
        assert not re.search(r"\{\d*\}|%[sd(]", message), message  # {name}, never {} or %s


def test_english_is_the_default_language(model: ReportModel, all_charts: dict[str, Chart]) -> None:
    same = charts.all_charts(model, None, locale_for("en"))
    assert [c.svg for c in same.values()] == [c.svg for c in all_charts.values()]
    identity = charts.all_charts(model, locale=fake_locale("en", lambda text: text))
    assert [c.table for c in identity.values()] == [c.table for c in all_charts.values()]


def test_numbers_in_the_charts_follow_the_locale(model: ReportModel) -> None:
    result = charts.all_charts(model, locale=Locale("fr"))
    budget = result["budget_INT"]
    # The sector's totals in the text alternative, the amounts in the table and on the bars.
    assert "59\u202f387" in budget.alt and "61\u202f010" in budget.alt and "(97\u00a0%)" in budget.alt
    int_01 = next(o for o in model.sectors[3].outputs if o.finance and o.finance.budget >= 1000)
    row = next(r for r in budget.table if r[0].startswith(int_01.output.code + " "))
    assert row[1] == Locale("fr").number(int_01.finance.budget) and "\u202f" in row[1]
    assert row[1] in texts(parse(budget))
    assert "150\u00a0%" in texts(parse(budget))  # the execution axis
    assert "20\u00a0% (R2, 1 of 5)" in result["status_by_objective"].alt
    # The locale alone changes numbers, not words; English numbers stay English.
    assert result["budget_INT"].title == charts.all_charts(model)["budget_INT"].title
    html = figure_html(budget)
    assert f'<td class="n">{row[1]}</td>' in html and f'<td class="n">{row[3]}</td>' in html
    assert row[3].endswith("\u00a0%")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_language_draws_every_chart(inputs: tuple, lang: str) -> None:
    """The build's call, for each language with its real catalogue: no TypeError, nothing missing."""
    translations = i18n.translations(lang)
    model = localised_model(inputs, lang)
    result = charts.all_charts(model, locale=locale_for(lang))
    assert list(result) == KEYS
    for chart in result.values():
        parse(chart)
    assert list(charts.all_charts(model, Thresholds(), Locale(lang, translations))) == KEYS


def test_supported_calls_never_raise(model: ReportModel) -> None:
    for kwargs in ({}, {"thresholds": None}, {"locale": ENGLISH}, {"locale": Locale("zh_Hans")},
                   {"locale": Locale("ar")}, {"thresholds": Thresholds(1.2, 0.5)}):
        assert list(charts.all_charts(model, **kwargs)) == KEYS, kwargs


def test_a_translation_with_wrong_placeholders_falls_back_to_english(model: ReportModel,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    broken = lambda text: text.replace("{year}", "{année}").replace("{count}", "{0}")  # noqa: E731
    locale_module._warn_misfit.cache_clear()  # noqa: SLF001
    with caplog.at_level("WARNING", logger="reportgen.render.locale"):
        result = charts.all_charts(model, locale=fake_locale("fr", broken))
    assert result["status_by_objective"].title == "KPI status by objective, 2009"
    warnings = [r.getMessage() for r in caplog.records if "does not fit its placeholders" in r.getMessage()]
    assert warnings and len(warnings) == len(set(warnings))  # once per text, not once per KPI


def test_arabic_is_drawn_in_arabic(inputs: tuple) -> None:
    """With SVG text shaped as whole runs (`svgtext`), an Arabic report's charts draw the
    plan's titles and the catalogue's words in Arabic, and still draw the codes and numbers."""
    model = localised_model(inputs, "ar")
    result = charts.all_charts(model, locale=fake_locale("ar", arabic))
    for key, chart in result.items():
        drawn = texts(parse(chart))
        assert any(arabic_letters(t) for t in drawn), key
        assert any(re.search(r"(^|\s)[A-Z]+-?\d+", t) for t in drawn), key
    status = " ".join(texts(parse(result["status_by_objective"])))
    assert model.sectors[0].sector.name in status
    trends = texts(parse(result["trends_R"]))
    first = next(k for k in model.kpis if k.history and k.entry.sector == "R")
    figures = arabic("{year}: {actual} · target {target}").format(
        year=model.year, actual=Locale("ar").number(first.entry.actual), target=Locale("ar").number(first.entry.target))
    # Whole, on one line or two (each a right-to-left line of its own).
    assert isolate_rtl(figures) in trends or all(isolate_rtl(part) in trends for part in figures.split(" · "))


@pytest.mark.usefixtures("letter_by_letter")
def test_arabic_keeps_arabic_out_of_the_drawing_but_not_out_of_the_report(inputs: tuple) -> None:
    """A WeasyPrint that draws SVG text letter by letter would draw Arabic reversed and unjoined:
    with an Arabic plan and a complete Arabic catalogue, no drawn <text> holds an Arabic letter, while the title, the text
    alternative (with a key to the symbols) and the table are in Arabic."""
    model = localised_model(inputs, "ar")
    assert arabic_letters(model.sectors[0].sector.name)  # the plan's texts are Arabic
    result = charts.all_charts(model, locale=fake_locale("ar", arabic))
    assert list(result) == KEYS
    for key, chart in result.items():
        root = parse(chart)
        drawn = texts(root)
        assert not [t for t in drawn if arabic_letters(t) or has_rtl(t)], key
        assert arabic_letters(chart.title) and arabic_letters(chart.alt), key
        assert arabic("Key: {items}.").removesuffix("{items}.") in chart.alt, key
        assert root.find(f"{SVG}title").text == chart.title and root.find(f"{SVG}desc").text == chart.alt
        assert all(arabic_letters(c) for c in chart.table[0] if not re.fullmatch(r"G\d", c)), key
        # Codes and numbers stay drawn.
        assert any(re.search(r"(^|\s)[A-Z]+-?\d+", t) for t in drawn), key
        assert any(re.fullmatch(r"[\d,.]+%?", without_isolates(t)) for t in drawn), key
    budget = [without_isolates(t) for t in texts(parse(result["budget_R"]))]
    assert "> 110%" in budget and "< 70%" in budget and "70%–110%" in budget
    assert any(re.search(r"(^|\s)R-01$", t) for t in budget)  # the code stays (rightmost), the Arabic name goes
    assert any(arabic_letters(row[0]) for row in result["budget_R"].table[1:])  # but is in the table
    matrix = [without_isolates(t) for t in texts(parse(result["goals_matrix"]))]
    assert matrix[:4] == ["●", "◐", "○", "–"] and "Σ" in matrix  # the legend's words are in the alt text
    # The tooltips (not drawn) may hold Arabic.
    group = parse(result["status_by_objective"]).find(f".//{SVG}g/{SVG}title")
    assert arabic_letters(group.text)


@pytest.mark.usefixtures("letter_by_letter")
def test_arabic_plan_in_an_english_report_keeps_the_english_placeholder(inputs: tuple) -> None:
    model = localised_model(inputs, "ar")
    model = with_kpi_name(model, next(i for i, k in enumerate(model.kpis) if k.history), "نسبة الدول الأعضاء")
    result = charts.all_charts(model)
    drawn = " ".join(t for chart in result.values() for t in texts(parse(chart)))
    assert not has_rtl(drawn) and "(right-to-left name: see the table)" in drawn
    assert result["status_by_objective"].title == "KPI status by objective, 2009"


# ------------------------------------------------------------------------------- edge cases


def test_a_model_with_nothing_reported_still_draws(model: ReportModel) -> None:
    empty = {s: 0 for s in STATUSES}
    sectors = tuple(dataclasses.replace(
        s, outputs=tuple(dataclasses.replace(o, kpis=(), finance=None, status_counts=empty) for o in s.outputs),
        objectives=tuple(dataclasses.replace(o, status_counts=empty) for o in s.objectives),
        budget=0.0, expenditure=0.0, execution=None, status_counts=empty) for s in model.sectors)
    bare = dataclasses.replace(
        model, kpis=(), finance=(), sectors=sectors,
        objectives=tuple(o for s in sectors for o in s.objectives),
        goals=tuple(dataclasses.replace(g, status_counts=empty) for g in model.goals))
    result = charts.all_charts(bare)
    assert list(result) == ["status_by_objective", "goals_matrix"]
    for chart in result.values():
        parse(chart)
    assert "None of the 24 objectives has a reported KPI" in result["status_by_objective"].alt


def test_truncate_and_wrap() -> None:
    assert truncate("short", 100, 10) == "short"
    cut = truncate("Promote coordination and collaboration among members", 120, 10)
    assert cut.endswith("…") and text_width(cut, 10) <= 120
    lines = wrap("Assistance to members, in particular developing countries and LDCs", 150, 10, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line, 10) <= 150 for line in lines)
    assert wrap("Seminars", 150, 10) == ["Seminars"]
    assert wrap("Supercalifragilisticexpialidocious", 40, 10, 1)[0].endswith("…")


def _number(value: float | None, language: str = "en") -> str:
    return Locale(language).number(value)


def _percent(value: float | None, language: str = "en") -> str:
    return Locale(language).percent(value)


def test_numbers_have_fixed_formats() -> None:
    assert _number(39040.0) == "39,040"
    assert _number(15.5) == "15.5"
    assert _number(2.125) == "2.12"
    assert _number(None) == "–" and _number(float("nan")) == "–"
    assert _percent(1.1600257) == "116%"
    assert _percent(None) == "–"


def test_numbers_follow_the_locale() -> None:
    assert _number(132320.0, "fr") == "132\u202f320"  # a narrow no-break space
    assert _number(132320.0, "es") == "132.320"
    assert _number(132320.0, "ru") == "132\u00a0320"
    assert _number(15.5, "fr") == "15,5"
    assert _percent(1.1600257, "fr") == "116\u00a0%"
    assert _percent(1.1600257, "zh") == "116%"


def test_charts_render_in_weasyprint_without_errors(inputs: tuple, all_charts: dict[str, Chart],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """As the PDF gets them: each chart an <img> with a data: URI (templates/partials/macros.html.j2),
    rendered by the WeasyPrint the build uses (SVG text as whole runs)."""
    import base64

    from reportgen.render import report as render

    weasyprint = render.import_weasyprint()
    french = charts.all_charts(localised_model(inputs, "fr"), locale=Locale("fr"))  # U+202F in numbers
    arabic_charts = charts.all_charts(localised_model(inputs, "ar"), locale=fake_locale("ar", arabic))
    figures = [all_charts["status_by_objective"], all_charts["trends_INT"], french["budget_INT"],
               arabic_charts["goals_matrix"], arabic_charts["trends_D"]]
    html = ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>charts</title></head><body>"
            + "".join(f'<img style="width:100%" alt="" src="data:image/svg+xml;base64,'
                      f'{base64.b64encode(chart.svg.encode()).decode()}">' for chart in figures)
            + figure_html(all_charts["goals_matrix"]) + "</body></html>")
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


# ------------------------------------------------------------------------------- right to left, fitting

@pytest.fixture(scope="module")
def charts_in(inputs: tuple) -> Callable[[str], dict[str, Chart]]:
    """The charts of the 2009 samples as the build draws them in a language: the plan's texts and
    the catalogue of that language."""
    drawn: dict[str, dict[str, Chart]] = {}

    def of(lang: str) -> dict[str, Chart]:
        if lang not in drawn:
            model = localised_model(inputs, lang)
            drawn[lang] = charts.all_charts(model, Thresholds(), locale_for(lang))
        return drawn[lang]
    return of


def number(text: str | None) -> float:
    return float(text or "nan")


def right_edge(rect: ET.Element) -> float:
    return number(rect.get("x")) + number(rect.get("width"))


def test_arabic_status_chart_is_mirrored(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    """Labels on the right, bars growing leftwards from one edge, the axis's 0 on the right."""
    root = parse(charts_in("ar")["status_by_objective"])
    assert root.get("direction") == "ltr"  # an inline chart keeps its anchors in the right-to-left page
    codes = {without_isolates("".join(t.itertext())): t for t in root.iter(f"{SVG}text")}
    starts = set()
    for group in root.iter(f"{SVG}g"):
        code = (group.findtext(f"{SVG}title") or "").split(" ")[0]
        rects = group.findall(f"{SVG}rect")
        if not rects:
            continue
        # The first status (achieved) at the right; each next segment on the left of the one before.
        assert [number(r.get("x")) for r in rects] == sorted((number(r.get("x")) for r in rects), reverse=True)
        for later, earlier in zip(rects[1:], rects):
            assert abs(right_edge(later) - number(earlier.get("x"))) < 0.11
        starts.add(round(right_edge(rects[0])))
        label = codes[code]
        assert label.get("text-anchor") == "end" and number(label.get("x")) > right_edge(rects[0]), code
    assert len(starts) == 1  # every bar starts from the same edge
    ticks = {without_isolates("".join(t.itertext())): number(t.get("x")) for t in root.iter(f"{SVG}text")
             if t.get("text-anchor") == "middle" and t.get("font-size") == "9.5"}
    assert ticks["0"] > ticks["30"] and abs(ticks["0"] - starts.pop()) < 0.11


def test_arabic_budget_chart_is_mirrored(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    root = parse(charts_in("ar")["budget_R"])
    groups = {(g.findtext(f"{SVG}title") or "").split(" ")[0]: g for g in root.iter(f"{SVG}g")}
    edges = set()
    for code, group in groups.items():
        budget, spent = group.findall(f"{SVG}rect")
        edges |= {round(right_edge(budget), 1), round(right_edge(spent), 1)}
        assert number(budget.get("width")) > 0 and number(spent.get("width")) > 0
    assert len(edges) == 1  # both bars of every output grow leftwards from one edge
    edge = edges.pop()
    labels = [t for t in root.iter(f"{SVG}text") if "R-01" in "".join(t.itertext())]
    assert labels and all(number(t.get("x")) > edge and t.get("text-anchor") == "end" for t in labels)
    # Execution: a larger share is further left (R-03 spent 116 %, R-02 55 %).
    marker = {code: number(next(group.iter(f"{SVG}path")).get("d", "M0").split(",")[0][1:]) for code, group in
              groups.items() if code in ("R-02", "R-03")}
    assert marker["R-03"] < marker["R-02"]
    scale = {without_isolates("".join(t.itertext())): number(t.get("x")) for t in root.iter(f"{SVG}text")
             if t.get("font-size") == "9"}
    assert scale[Locale("ar").percent(0)] > scale[Locale("ar").percent(1)] > scale[Locale("ar").percent(1.5)]


def test_arabic_goals_matrix_is_mirrored(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    root = parse(charts_in("ar")["goals_matrix"])
    header = [t for t in root.iter(f"{SVG}text") if re.fullmatch(r"G\d", "".join(t.itertext()))]
    xs = [number(t.get("x")) for t in header]
    assert [t.text for t in header] == [f"G{i}" for i in range(1, 8)] and xs == sorted(xs, reverse=True)
    r1 = next(g for g in root.iter(f"{SVG}g") if re.search(r"\bR1\b", g.findtext(f"{SVG}title") or ""))
    cells = r1.findall(f"{SVG}rect")
    code = next(t for t in root.iter(f"{SVG}text") if "".join(t.itertext()) == "R1")
    assert number(code.get("x")) > max(right_edge(c) for c in cells)


def test_arabic_trends_are_mirrored(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    """Small multiples from the top right; in each, the time axis runs from right to left."""
    root = parse(charts_in("ar")["trends_R"])
    panels = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    frames = [(number(g.find(f"{SVG}rect").get("x")), number(g.find(f"{SVG}rect").get("y"))) for g in panels]
    assert [x for x, _ in frames[:4]] == sorted((x for x, _ in frames[:4]), reverse=True)
    assert frames[0][0] == max(x for x, _ in frames) and frames[0][1] == min(y for _, y in frames)
    assert frames[4][0] == frames[0][0] and frames[4][1] > frames[0][1]  # the next row starts on the right
    for panel in panels:
        years = {"".join(t.itertext()).strip("\u2067\u2069"): number(t.get("x")) for t in panel.iter(f"{SVG}text")
                 if re.fullmatch(r"\u2067?20\d\d\u2069?", "".join(t.itertext()))}
        assert years["2008"] > years["2009"] > years["2011"]


def test_left_to_right_charts_are_not_mirrored(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    root = parse(charts_in("fr")["trends_R"])
    assert root.get("direction") is None
    panel = next(g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None)
    years = {"".join(t.itertext()): number(t.get("x")) for t in panel.iter(f"{SVG}text")
             if re.fullmatch(r"20\d\d", "".join(t.itertext()))}
    assert years["2008"] < years["2011"]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_label_is_cut(charts_in: Callable[[str], dict[str, Chart]], lang: str) -> None:
    """No drawn label of the samples' charts ends in '…', in any language, and the KPI panels show
    each target whole ("2009 : non communiqué · cible 1 234")."""
    result = charts_in(lang)
    for key, chart in result.items():
        cut = [t for t in texts(parse(chart)) if "…" in t]
        assert not cut, (lang, key, cut)
    for key in (k for k in result if k.startswith("trends_")):
        panels = [g for g in parse(result[key]).iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
        for panel, row in zip(panels, result[key].table[1:], strict=True):
            drawn = without_isolates(" ".join("".join(t.itertext()) for t in panel.iter(f"{SVG}text")))
            target = row[-3]  # this year's target, as the table writes it
            assert f" {target}" in drawn or f"{target} " in drawn, (lang, key, row[:2], target, drawn)


def test_every_word_of_the_arabic_charts_is_arabic(inputs: tuple) -> None:
    """With the Arabic catalogue, the Arabic plan and the returns' texts in Arabic (as their
    translation supplies them), no drawn label of the charts holds a Latin word but codes and
    acronyms (R-03, ITU-R, G1) and numbers."""
    model = with_kpis(localised_model(inputs, "ar"), lambda i, k: dataclasses.replace(
        k, entry=dataclasses.replace(k.entry, kpi=f"مؤشر الأداء {i}", unit="عدد" if k.entry.unit else None)))
    result = charts.all_charts(model, Thresholds(), locale_for("ar"))
    for key, chart in result.items():
        for text in texts(parse(chart)):
            latin = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]*", text) if not re.fullmatch(r"[A-Z][A-Z0-9-]*", w)]
            assert not latin, (key, text, latin)
        assert any(arabic_letters(t) for t in texts(parse(chart))), key


def test_the_fonts_the_charts_are_measured_with_are_installed() -> None:
    """Without them labels would be measured by estimate (and might overflow): the CI image and
    README's system libraries must bring fonts-dejavu-core, fonts-noto-cjk and fonts-noto-core."""
    from reportgen.charts import fonts

    assert fonts.missing_faces() == []


def test_glyph_widths_are_read_as_fonttools_reads_them() -> None:
    """The charts read each face's cmap and hmtx themselves (fontTools parses whole tables, too
    slow for the build's path): the same glyphs and advances as fontTools finds, for Latin,
    Cyrillic, Arabic (with its presentation forms), CJK and symbols, in every face."""
    from fontTools.ttLib import TTCollection, TTFont

    from reportgen.charts import fonts

    codes = [*range(0x20, 0x700), *range(0x2000, 0x2700), *range(0x3000, 0x3100), *range(0x4E00, 0x5200),
             *range(0xFB50, 0xFF00), 0x1F600, 0x20000]
    for family in (*fonts.FAMILIES, *fonts.FALLBACKS):
        for bold in (False, True):
            face = fonts.face(family, bold)
            assert face is not None, family
            if face.path.suffix == ".ttc":
                font = next(f for f in TTCollection(str(face.path), lazy=True).fonts
                            if f["name"].getDebugName(1) == family)
            else:
                font = TTFont(str(face.path), lazy=True)
            cmap, metrics, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
            expected = {code: metrics[cmap[code]][0] * 1000 / em if code in cmap else None for code in codes}
            assert {code: face.advance(chr(code)) for code in codes} == expected, (family, bold)


def test_label_widths_are_the_widths_the_pdf_draws(charts_in: Callable[[str], dict[str, Chart]]) -> None:
    """Every label of the Arabic, Chinese and Russian charts (and a sample of the English ones),
    measured here and laid out by WeasyPrint's own text engine (Pango, HarfBuzz, the same font
    files): the same width, never narrower (kerning only narrows the PDF's)."""
    from math import inf

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.text.line_break import split_first_line

    from reportgen.charts.fonts import FAMILIES

    config = FontConfiguration()

    def pango_width(text: str, size: float, bold: bool) -> float:
        style = Style()
        style.update(INITIAL_VALUES)
        style.font_config = config
        style["font_family"] = [*FAMILIES, "sans-serif"]
        style["font_weight"] = 700 if bold else 400
        style["font_size"] = size
        return split_first_line(text, style, None, inf, 0)[3]

    labels = set()
    for lang in ("ar", "zh", "ru", "en"):
        for chart in charts_in(lang).values():
            for element in parse(chart).iter(f"{SVG}text"):
                if element.find(f"{SVG}tspan") is None:
                    labels.add((element.text or "", number(element.get("font-size") or "11"),
                                element.get("font-weight") == "bold"))
    assert len(labels) > 1000
    for text, size, bold in sorted(labels):
        ours, pdf = text_width(text, size, bold), pango_width(text, size, bold)
        assert pdf * 0.995 - 0.1 <= ours <= pdf * 1.03 + 0.2, (text, size, bold, ours, pdf)


def test_wrap_breaks_chinese_between_characters_and_cuts_only_past_the_last_line() -> None:
    lines = wrap("促进成员之间的协调与合作，加强国际合作", 60, 10, 4)
    assert len(lines) > 1 and "".join(lines) == "促进成员之间的协调与合作，加强国际合作"
    assert not any(line.startswith("，") for line in lines)  # punctuation stays with the text before it
    assert all(text_width(line, 10) <= 60 for line in lines)
    word = "Telecommunicationdevelopmentsector"
    assert "".join(wrap(word, 60, 10, 9)) == word  # a word wider than a line is broken, not cut
    assert wrap(" ".join(["coordination"] * 12), 80, 10, 2)[-1].endswith("…")
