"""SVG charts (reportgen/charts.py), drawn from the 2009 sample model (with 2008 as history).

The SVGs are parsed back with xml.etree and checked for what an embedder and a reader rely
on: valid XML, an accessible name and description, nothing external, text escaped, bars
proportional to the numbers, the same numbers in the tables, byte-identical output.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reportgen import charts
from reportgen.build import Options, Timings, assemble, load_inputs
from reportgen.charts import Chart
from reportgen.model import STATUSES, ReportModel
from reportgen.settings import Thresholds

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & <b>Co</b> \'quoted\' \x0b\x00 end'


def build_model(year: int = 2009) -> ReportModel:
    plan, current, earlier, _ = load_inputs(year, Options(inputs=INPUTS), Timings())
    return assemble(plan, current, earlier, Thresholds(), Timings())


@pytest.fixture(scope="module")
def model() -> ReportModel:
    if not (INPUTS / "2009").is_dir():
        pytest.skip("sample inputs not available")
    return build_model()


@pytest.fixture(scope="module")
def all_charts(model: ReportModel) -> dict[str, Chart]:
    return charts.all_charts(model)


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def group_titled(root: ET.Element, prefix: str) -> ET.Element:
    """The <g> whose own <title> starts with `prefix`."""
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is not None and (title.text or "").startswith(prefix):
            return group
    raise AssertionError(f"no group titled {prefix!r}")


def with_kpi_name(model: ReportModel, index: int, name: str) -> ReportModel:
    """The model with KPI `index` renamed, wherever the model holds that KPI."""
    old = model.kpis[index]
    new = dataclasses.replace(old, entry=dataclasses.replace(old.entry, kpi=name))
    swap = lambda k: new if k is old else k  # noqa: E731
    sectors = tuple(
        dataclasses.replace(s, outputs=tuple(
            dataclasses.replace(o, kpis=tuple(swap(k) for k in o.kpis)) for o in s.outputs))
        for s in model.sectors)
    return dataclasses.replace(model, kpis=tuple(swap(k) for k in model.kpis), sectors=sectors)


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
    fills = [*charts.STATUS_COLOURS.values(), *(c[3] for c in charts.MATRIX_CLASSES), charts.MATRIX_NO_DATA[2]]
    for fill in fills:
        assert charts.contrast_ratio(charts.text_colour_on(fill), fill) >= 4.5, fill
    assert charts.text_colour_on("#0072B2") == "#ffffff"


def test_text_on_the_page_background_is_readable(all_charts: dict[str, Chart]) -> None:
    """Text drawn straight on white (not inside a coloured segment or cell) reaches 4.5:1."""
    for key, chart in all_charts.items():
        for text in parse(chart).iter(f"{SVG}text"):
            fill = text.get("fill", charts.INK)
            if fill in ("#000000", "#ffffff"):  # inside a fill, chosen by text_colour_on
                continue
            assert charts.contrast_ratio(fill, "#ffffff") >= 4.5, (key, fill, "".join(text.itertext()))


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
    budget = charts.budget_vs_expenditure(odd, sector.sector.code)
    status = charts.status_by_objective(odd)
    matrix = charts.goals_matrix(odd)
    for chart in (budget, status, matrix):
        parse(chart)
        assert "<x " not in chart.svg and "<i>" not in chart.svg
    assert any("A & B" in t for t in texts(parse(budget)))
    assert any("Q&A <i>" in t for t in texts(parse(status)))


def test_figure_html_escapes_the_table(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    chart = charts.kpi_trends(with_kpi_name(model, index, EVIL))[0]
    html = charts.figure_html(chart, "Figure 3.")
    assert "<script" not in html.replace(chart.svg, "")
    assert html.startswith(f'<figure class="chart" id="{chart.id}"><figcaption>Figure 3. ')


# ------------------------------------------------------------------------------- chart 1


def test_status_bars_are_proportional_to_the_counts(model: ReportModel) -> None:
    root = parse(charts.status_by_objective(model))
    pairs: list[tuple[float, int]] = []
    for result in model.objectives:
        code = result.objective.code
        rects = group_titled(root, f"{code} ").findall(f"{SVG}rect")
        shown = [s for s in STATUSES if result.status_counts[s]]
        assert len(rects) == len(shown), code
        for rect, status in zip(rects, shown):
            fill = rect.get("fill")
            assert fill == charts.STATUS_COLOURS[status] or fill.endswith(f"-{status.replace(' ', '-')})")
            pairs.append((float(rect.get("width")), result.status_counts[status]))
        # Segments follow one another without gaps.
        xs = [float(r.get("x")) for r in rects]
        ends = [float(r.get("x")) + float(r.get("width")) for r in rects]
        assert all(abs(a - b) < 0.11 for a, b in zip(xs[1:], ends))
    # One scale for every objective (widths are written with one decimal).
    scale = max(pairs, key=lambda p: p[1])[0] / max(pairs, key=lambda p: p[1])[1]
    assert all(abs(width - count * scale) <= 0.1 for width, count in pairs)


def test_status_chart_groups_by_sector_and_states_the_total(model: ReportModel) -> None:
    chart = charts.status_by_objective(model)
    all_text = texts(parse(chart))
    for sector in model.sectors:
        assert sector.sector.name in all_text
    r1 = next(o for o in model.objectives if o.objective.code == "R1")
    title = group_titled(parse(chart), "R1 ").find(f"{SVG}title").text
    assert f"{r1.status_counts['achieved']} achieved" in title


def test_status_legend_has_words_and_icons(model: ReportModel) -> None:
    all_text = texts(parse(charts.status_by_objective(model)))
    for status in STATUSES:
        assert f"{charts.STATUS_ICONS[status]} {status}" in all_text


def test_status_segments_carry_icon_or_pattern(model: ReportModel) -> None:
    root = parse(charts.status_by_objective(model))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert len(patterns) == 3  # partially, not achieved, not reported: textured; achieved: solid
    d1 = group_titled(root, "D1 ")
    labels = ["".join(t.itertext()) for t in d1.iter(f"{SVG}text")]
    assert "●\u200912" in labels and "◐\u200913" in labels


def test_status_table_equals_the_model(model: ReportModel) -> None:
    table = charts.status_by_objective(model).table
    assert table[0][:6] == ("Objective", "Achieved", "Partially achieved", "Not achieved", "Not reported",
                            "Total KPIs")
    assert len(table) == 1 + len(model.objectives) == 25
    for row, result in zip(table[1:], model.objectives):
        assert row[0] == f"{result.objective.code} {result.objective.title}"
        assert [int(c) for c in row[1:5]] == [result.status_counts[s] for s in STATUSES]
        assert int(row[5]) == sum(result.status_counts.values())


def test_status_alt_names_the_extremes(model: ReportModel) -> None:
    alt = charts.status_by_objective(model).alt
    assert alt.startswith("Across the 24 objectives, the share of reported KPIs achieved ranges from ")
    assert "20 % (R2, 1 of 5)" in alt and "67 % (R4, 2 of 3)" in alt


# ------------------------------------------------------------------------------- chart 2


def test_budget_table_and_marks_equal_the_model(model: ReportModel) -> None:
    thresholds = Thresholds()
    for sector in model.sectors:
        chart = charts.budget_vs_expenditure(model, sector.sector.code)
        assert chart.table[0] == ("Output", "Budget (thousand CHF)", "Expenditure (thousand CHF)",
                                  "Execution", "Mark")
        for row, output in zip(chart.table[1:], sector.outputs):
            money = output.finance
            assert row[0].startswith(output.output.code + " ")
            assert float(row[1].replace(",", "")) == money.budget
            assert float(row[2].replace(",", "")) == money.expenditure
            assert row[3] == f"{money.execution * 100:.0f} %"
            expected = ("over 110 %" if money.execution > thresholds.overspend
                        else "under 70 %" if money.execution < thresholds.underspend else "")
            assert row[4] == expected


def test_budget_marks_are_symbol_and_text(model: ReportModel) -> None:
    chart = charts.budget_vs_expenditure(model, "R")
    root = parse(chart)
    over = "".join(group_titled(root, "R-03 ").itertext())
    under = "".join(group_titled(root, "R-02 ").itertext())
    assert "116 % ▲ over" in over and "55 % ▼ under" in under
    assert "Budget" in texts(root) and "Expenditure" in texts(root)
    assert "over 110 %" in texts(root) and "under 70 %" in texts(root)
    assert "R-03 (116 %)" in chart.alt and "R-02 (55 %)" in chart.alt


def test_budget_bars_are_proportional(model: ReportModel) -> None:
    root = parse(charts.budget_vs_expenditure(model, "T"))
    pairs: list[tuple[float, float]] = []
    for output in model.sectors[1].outputs:
        rects = group_titled(root, output.output.code + " ").findall(f"{SVG}rect")
        budget, spent = (float(r.get("width")) for r in rects)
        pairs += [(budget, output.finance.budget), (spent, output.finance.expenditure)]
    scale = max(pairs, key=lambda p: p[1])[0] / max(pairs, key=lambda p: p[1])[1]
    assert all(abs(width - amount * scale) <= 0.1 for width, amount in pairs)


def test_budget_thresholds_can_change(model: ReportModel) -> None:
    chart = charts.budget_vs_expenditure(model, "R", Thresholds(overspend=1.0, underspend=0.9))
    marks = [row[4] for row in chart.table[1:]]
    assert marks.count("over 100 %") == 2
    assert "under 90 %" in marks


def test_unknown_sector_is_a_key_error(model: ReportModel) -> None:
    with pytest.raises(KeyError, match="no sector 'X'"):
        charts.budget_vs_expenditure(model, "X")


def test_output_without_finance_is_said_so(model: ReportModel) -> None:
    sector = model.sectors[3]
    bare = dataclasses.replace(sector, outputs=tuple(dataclasses.replace(o, finance=None)
                                                     if o.output.code == "INT-02" else o
                                                     for o in sector.outputs))
    odd = dataclasses.replace(model, sectors=(*model.sectors[:3], bare))
    chart = charts.budget_vs_expenditure(odd, "INT")
    assert "no finance reported" in texts(parse(chart))
    assert ("INT-02 Council and working groups", "–", "–", "–", "no finance reported") in chart.table


# ------------------------------------------------------------------------------- chart 3


def test_matrix_links_follow_table_8_1(model: ReportModel) -> None:
    chart = charts.goals_matrix(model)
    root = parse(chart)
    goals = [g.code for g in model.plan.goals]
    assert chart.table[0][:8] == ("Objective", *goals)
    for row, result in zip(chart.table[1:], model.objectives):
        objective = result.objective
        assert row[0].startswith(objective.code + " ")
        assert [g for g, cell in zip(goals, row[1:8]) if cell == "linked"] == list(objective.goals)
        cells = group_titled(root, f"{objective.code} serves").findall(f"{SVG}rect")
        assert len(cells) == len(objective.goals)
        label, icon, colour = charts.matrix_class(result.status_counts)
        assert {c.get("fill") for c in cells} == {colour}
        symbols = {"".join(t.itertext()) for t in group_titled(root, f"{objective.code} serves").iter(f"{SVG}text")}
        assert symbols == {icon}
        assert int(row[8]) == result.status_counts["achieved"]


def test_matrix_classes() -> None:
    assert charts.matrix_class({"achieved": 2, "not achieved": 2, "partially achieved": 0,
                                "not reported": 5})[0] == "half or more achieved"
    assert charts.matrix_class({"achieved": 1, "not achieved": 2, "partially achieved": 0,
                                "not reported": 0})[0] == "a third to a half achieved"
    assert charts.matrix_class({"achieved": 1, "not achieved": 3, "partially achieved": 0,
                                "not reported": 0})[0] == "under a third achieved"
    assert charts.matrix_class({s: 0 for s in STATUSES} | {"not reported": 3})[0] == "no KPI reported"


def test_matrix_legend_and_goal_row(model: ReportModel) -> None:
    chart = charts.goals_matrix(model)
    all_text = texts(parse(chart))
    for _, label, icon, _ in charts.MATRIX_CLASSES:
        assert f"{icon} {label}" in all_text
    last = chart.table[-1]
    assert last[0] == "All KPIs serving the goal"
    g1 = model.goals[0].status_counts
    assert last[1].startswith(f"{g1['achieved']} of {sum(g1.values()) - g1['not reported']} ")


# ------------------------------------------------------------------------------- chart 4


def test_trends_skip_kpis_without_history(model: ReportModel) -> None:
    trends = charts.kpi_trends(model)
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
    chart = charts.kpi_trends(model)[0]
    assert chart.table[0] == ("Output", "KPI", "Unit", "2008 target", "2008 actual", "2009 target",
                              "2009 actual", "Status 2009")
    kpis = [k for k in model.kpis if k.entry.sector == "R" and k.history]
    for row, kpi in zip(chart.table[1:], kpis):
        old = kpi.history[0]
        assert row[:3] == (kpi.entry.output, kpi.entry.kpi, kpi.entry.unit or "")
        assert row[3:7] == tuple(charts.fmt_number(v) for v in (old.target, old.actual, kpi.entry.target,
                                                                  kpi.entry.actual))
        assert row[7] == kpi.status


def test_long_kpi_name_is_cut_with_ellipsis_but_whole_in_title(model: ReportModel) -> None:
    index = next(i for i, k in enumerate(model.kpis) if k.history)
    name = "Share of administrations that answered the questionnaire on the implementation of the plan"
    chart = charts.kpi_trends(with_kpi_name(model, index, name))[0]
    group = group_titled(parse(chart), f"{model.kpis[index].entry.output} {name}")
    shown = " ".join("".join(t.itertext()) for t in group.findall(f"{SVG}text")[:2])
    assert shown.endswith("…") and name not in shown


def test_trend_markers_read_without_colour(model: ReportModel) -> None:
    root = parse(charts.kpi_trends(model)[0])
    legend = texts(root)[:5]
    assert legend == [*STATUSES, "target"]


def test_trend_alt_counts_changes(model: ReportModel) -> None:
    for chart in charts.kpi_trends(model):
        numbers = [int(n) for n in re.findall(r"(\d+) (?:improved|fell back|kept it|cannot)", chart.alt)]
        assert len(numbers) in (3, 4) and sum(numbers) == len(chart.table) - 1, chart.alt


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
    assert charts.truncate("short", 100, 10) == "short"
    cut = charts.truncate("Promote coordination and collaboration among members", 120, 10)
    assert cut.endswith("…") and charts.text_width(cut, 10) <= 120
    lines = charts.wrap("Assistance to members, in particular developing countries and LDCs", 150, 10, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(charts.text_width(line, 10) <= 150 for line in lines)
    assert charts.wrap("Seminars", 150, 10) == ["Seminars"]
    assert charts.wrap("Supercalifragilisticexpialidocious", 40, 10, 1)[0].endswith("…")


def test_numbers_have_fixed_formats() -> None:
    assert charts.fmt_number(39040.0) == "39,040"
    assert charts.fmt_number(15.5) == "15.5"
    assert charts.fmt_number(None) == "–"
    assert charts.fmt_percent(1.1600257) == "116 %"


def test_charts_render_in_weasyprint_without_errors(all_charts: dict[str, Chart],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>charts</title></head><body>"
            + charts.figure_html(all_charts["status_by_objective"])
            + charts.figure_html(all_charts["trends_INT"]) + "</body></html>")
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
