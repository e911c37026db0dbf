"""The plan-period assessment (contract 8.5): verdicts and series computed by hand, breaks and
names found once, a period with a missing year, lessons with their evidence, the financial
plan's envelope, and the whole document (HTML, PDF read back, JSON) built from the samples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.errors import ReportgenError
from reportgen.model import FinanceEntry, KPIEntry, ReturnInfo, Source, YearData
from reportgen.pipeline import frames
from reportgen.pipeline.assess import VERDICTS, Period, YearCounts, assess, parse_period, verdict
from reportgen.pipeline.period import load_financial_plan
from reportgen.plan.loader import load_plan
from reportgen.render.assessment import assessment_json
from reportgen.util.text import fold

ROOT = Path(__file__).resolve().parents[1]
PLAN = load_plan()
PERIOD = Period(2008, 2011)


def kpi(output: str, name: str, target: float, actual: float | None, row: int, bureau: str = "GS",
        baseline: float | None = None, objectives: tuple[str, ...] = ()) -> KPIEntry:
    return KPIEntry(bureau, PLAN.output(output).sector, output, name, None, baseline, target, actual, "higher",
                    None, Source(f"{bureau}.xlsx", "KPIs", row), objectives=objectives)


def money(output: str, budget: float, spent: float, row: int, bureau: str = "GS") -> FinanceEntry:
    return FinanceEntry(bureau, output, budget, spent, Source(f"{bureau}.xlsx", "Finance", row))


def year(number: int, kpis=(), finance=(), bureaux=("GS",), status: str = "final") -> YearData:
    returns = tuple(ReturnInfo(f"{b}.xlsx", b, None, f"{number}-12-31", status, None) for b in bureaux)
    return YearData(number, returns, tuple(kpis), tuple(finance), (), (), ())


def assessment_of(*years: YearData):
    return assess(PLAN, frames.join(PLAN, list(years)), PERIOD)


def counts(year_: int, achieved=0, partial=0, not_achieved=0, not_reported=0, provisional=False) -> YearCounts:
    return YearCounts(year_, provisional, {"achieved": achieved, "partially achieved": partial,
                                           "not achieved": not_achieved, "not reported": not_reported})


# -- the verdict, by hand -------------------------------------------------------------------------

@pytest.mark.parametrize("series, expected", [
    # nothing reported in any year
    ([counts(2008, not_reported=3), counts(2009, not_reported=2)], "not assessed"),
    # 3 of 4 and 4 of 4 achieved: three quarters or more every year
    ([counts(2008, 3, 1), counts(2009, 4, 0, 0, 1)], "achieved"),
    # 2 of 4 not achieved in the latest year: half
    ([counts(2008, 4), counts(2009, 1, 1, 2)], "off track"),
    # 2 of 6 not achieved: a third
    ([counts(2008, 2, 2), counts(2009, 2, 2, 2)], "at risk"),
    # share achieved 3/4 → 1/4: a fall of half, nothing not achieved
    ([counts(2008, 3, 1), counts(2009, 1, 3)], "at risk"),
    # 2 of 4 achieved, then 2 of 4 achieved and 1 of 4 not achieved
    ([counts(2008, 2, 2), counts(2009, 2, 1, 1)], "on track"),
    # a year with nothing reported is skipped: 2/4 (2008) → 1/4 (2010) is a fall of exactly 25 points
    ([counts(2008, 2, 2), counts(2009, not_reported=3), counts(2010, 1, 3)], "at risk"),
])
def test_verdict_computed_by_hand(series, expected):
    assert verdict(series)[0] == expected


def test_verdict_basis_names_the_latest_year_and_the_one_before():
    decided, basis = verdict([counts(2008, 2, 2), counts(2009, not_reported=3), counts(2010, 3, 1, 0, 2, True)])
    assert decided == "on track"
    assert (basis.year, basis.provisional, basis.reported, basis.achieved, basis.not_achieved) == (2010, True, 4, 3, 0)
    assert (basis.previous_year, basis.previous_share_achieved) == (2008, 0.5)


def test_period_is_parsed_or_refused_with_a_fix():
    assert parse_period("2008-2011") == Period(2008, 2011) and Period(2008, 2011).years == (2008, 2009, 2010, 2011)
    for text, reason in [("2011-2008", "ends before it begins"), ("2008", "FIRST-LAST"), ("1990-2011", "at most 10")]:
        with pytest.raises(ReportgenError, match=reason):
            parse_period(text)


# -- series, breaks and names found once ---------------------------------------------------------

@pytest.fixture(scope="module")
def three_years():
    y2008 = year(2008, [kpi("INT-02", "Always", 100, 120, 4), kpi("INT-02", "Stops", 10, 10, 5),
                        kpi("INT-02", "Gap", 5, 1, 6), kpi("INT-02", "Titles online", 90, 91, 7),
                        kpi("R-01", "Only in 2008 from BR", 4, 4, 4, bureau="BR")], bureaux=("GS", "BR"))
    y2009 = year(2009, [kpi("INT-02", "always", 100, 70, 4), kpi("INT-02", "Stops", 10, 4, 5),
                        kpi("INT-02", "Starts", 3, 3, 6), kpi("INT-02", "Titles online", 90, 93, 7)])
    y2010 = year(2010, [kpi("INT-02", "Always", 110, None, 4), kpi("INT-02", "Starts", 3, 1, 5),
                        kpi("INT-02", "Gap", 5, 5, 6), kpi("INT-02", "ITU titles online", 92, 95, 7)],
                 status="illustrative, provisional")
    return assessment_of(y2008, y2009, y2010)


def series_of(m, name: str):
    return next(k for k in m.kpis if fold(k.kpi) == fold(name))


def test_series_computed_by_hand(three_years):
    m = three_years
    assert m.years == (2008, 2009, 2010) and m.provisional_years == (2010,) and m.missing_years == (2011,)
    always = series_of(m, "Always")
    assert [(p.year, p.target, p.actual, p.achievement, p.status, p.provisional) for p in always.points] == [
        (2008, 100, 120, 1.2, "achieved", False),
        (2009, 100, 70, 0.7, "partially achieved", False),
        (2010, 110, None, None, "not reported", True)]
    assert always.other_names == ("always",) and not always.breaks
    assert [p.source.label() for p in always.points] == ["GS.xlsx:KPIs:4"] * 3


def test_a_kpi_that_stops_starts_or_skips_a_year_is_a_break(three_years):
    m = three_years
    stops, starts, gap = series_of(m, "Stops"), series_of(m, "Starts"), series_of(m, "Gap")
    assert (stops.stops, stops.starts, stops.gaps) == (2009, None, ())
    assert [p.absent for p in stops.points] == [None, None, "not listed"]
    assert (starts.starts, starts.stops) == (2009, None)
    assert [p.absent for p in starts.points] == ["not listed", None, None]
    assert gap.gaps == (2009,) and gap.starts is None and gap.stops is None
    # BR sent no return after 2008: its KPI's later years are no return, not a break.
    br = series_of(m, "Only in 2008 from BR")
    assert [p.absent for p in br.points] == [None, "no return", "no return"] and not br.breaks
    assert {k.kpi for k in m.breaks} == {"Stops", "Starts", "Gap", "Titles online", "ITU titles online"}


def test_a_renamed_kpi_is_named_in_the_annex_with_its_old_name(three_years):
    once = {o.kpi: o for o in three_years.only_once}
    assert set(once) == {"ITU titles online", "Only in 2008 from BR"}
    assert (once["ITU titles online"].year, once["ITU titles online"].closest,
            once["ITU titles online"].closest_years) == (2010, "Titles online", (2008, 2009))
    report = assessment_json(three_years)
    assert {"bureau": "GS", "output": "INT-02", "kpi": "ITU titles online", "year": 2010,
            "closest": "Titles online", "closest_years": [2008, 2009]} in report["names_only_once"]


def test_objective_and_goal_counts_per_year(three_years):
    report = assessment_json(three_years)
    int1 = next(o for o in report["objectives"] if o["code"] == "INT1")  # INT-02 serves INT1, INT2, INT3
    assert int1["status_counts"] == {
        "2008": {"achieved": 3, "partially achieved": 0, "not achieved": 1, "not reported": 0},
        "2009": {"achieved": 2, "partially achieved": 1, "not achieved": 1, "not reported": 0},
        "2010": {"achieved": 2, "partially achieved": 0, "not achieved": 1, "not reported": 1}}
    # 2010: 2 of 3 achieved, 1 of 3 not achieved: a third.
    assert int1["verdict"] == "at risk" and int1["basis"]["year"] == 2010 and int1["basis"]["provisional"] is True
    r1 = next(o for o in report["objectives"] if o["code"] == "R1")
    assert r1["status_counts"]["2008"]["achieved"] == 1 and r1["verdict"] == "achieved"


# -- lessons with their evidence ---------------------------------------------------------------------

def test_each_kind_of_lesson_with_its_evidence():
    y2009 = year(2009, [kpi("INT-07", "ITR meetings", 2, None, 4),
                        kpi("INT-02", "Documents on time", 90, 117, 5),  # achievement 1.3
                        kpi("INT-02", "Meetings held", 10, 13, 6),  # 1.3, then 1.1
                        kpi("INT-01", "Decisions implemented", 10, 15, 7, objectives=("INT1",))],
                 [money("INT-07", 400, 380, 2), money("INT-02", 6000, 5900, 3), money("INT-08", 700, 650, 4)])
    y2010 = year(2010, [kpi("INT-07", "ITR meetings", 3, None, 4),
                        kpi("INT-02", "Documents on time", 90, 112.5, 5),  # 1.25
                        kpi("INT-02", "Meetings held", 10, 11, 6)],
                 [money("INT-07", 400, 200, 2)], status="provisional")
    m = assessment_of(y2009, y2010)
    lessons = {(l.kind, l.refers_to): l for l in m.lessons}
    never = lessons[("never-reported", "INT-07")]
    assert [e.label() for e in never.evidence] == ["2009/GS.xlsx:KPIs:4", "2010/GS.xlsx:KPIs:4"]
    wide = lessons[("wide-margin", "INT-02")]
    assert wide.facts["kpi"] == "Documents on time" and wide.facts["lowest"] == pytest.approx(1.25)
    assert not any(l.kind == "wide-margin" and l.facts["kpi"] == "Meetings held" for l in m.lessons)
    # INT5 is served by INT-03, -04, -05 and -08: none has a KPI.
    assert ("no-kpi", "INT5") in lessons and [e.label() for e in lessons[("no-kpi", "INT5")].evidence] == [
        "2009/GS.xlsx:Finance:4"]
    assert not any(l.kind == "no-kpi" and l.refers_to.startswith("R") for l in m.lessons)  # BR sent nothing
    spent = lessons[("unmeasured-spending", "INT-07")]
    assert spent.facts["expenditure"] == 580 and spent.facts["years"] == (2009, 2010)
    assert spent.facts["provisional"] == (2010,)
    assert [e.label() for e in spent.evidence] == ["2009/GS.xlsx:Finance:2", "2010/GS.xlsx:Finance:2"]
    texts = {l["refers_to"] + " " + l["kind"]: l for l in assessment_json(m)["lessons"]}
    assert texts["INT-07 unmeasured-spending"]["text"].startswith(
        "580 thousand CHF were spent on output INT-07 (WCIT) in 2009 and 2010 (provisional)")
    assert texts["INT-07 unmeasured-spending"]["evidence"][0] == {"year": 2009, "file": "GS.xlsx",
                                                                   "sheet": "Finance", "row": 2}


def test_linkage_figures_computed_by_hand():
    y2008 = year(2008, [kpi("INT-02", "A", 10, 10, 4, baseline=5), kpi("INT-02", "B", 10, None, 5)],
                 [money("INT-02", 100, 90, 2), money("INT-03", 50, 40, 3)])
    y2009 = year(2009, [kpi("INT-02", "A", 10, 12, 4), kpi("INT-02", "B", 10, 9, 5)],
                 [money("INT-02", 100, 110, 2), money("INT-03", 50, 60, 3)])
    linkage = assessment_json(assessment_of(y2008, y2009))["linkage"]
    assert linkage["kpis_with_baseline"] == {"count": 1, "total": 2, "share": 0.5}
    assert linkage["kpis_reported_every_year"] == {"count": 1, "total": 2, "share": 0.5}
    assert linkage["outputs_with_budget_and_kpis"]["count"] == 1 and linkage["outputs_with_budget_and_kpis"]["total"] == 45
    # INT-02 had a KPI reported both years (90 + 110); INT-03 none (40 + 60).
    assert linkage["expenditure_on_measured_outputs"] == {"count": 200.0, "total": 300.0, "share": pytest.approx(2 / 3)}


# -- the financial plan ---------------------------------------------------------------------------------

def test_financial_plan_from_report_yaml(tmp_path):
    settings = tmp_path / "report.yaml"
    settings.write_text("council: Council 2010\nfinancial_plan:\n  period: 2008-2011\n  envelope: 520000\n"
                        "  sectors: {R: 120000, INT: 225000}\n", encoding="utf-8")
    plan = load_financial_plan(settings, PERIOD)
    assert plan.envelope == 520000 and dict(plan.sectors) == {"R": 120000, "INT": 225000}
    assert load_financial_plan(settings, Period(2012, 2015)) is None  # another period's plan
    settings.write_text("financial_plan:\n  period: 2008-2011\n  envelope: lots\n", encoding="utf-8")
    with pytest.raises(ReportgenError, match=r"report\.yaml:3: financial_plan envelope is 'lots'"):
        load_financial_plan(settings, PERIOD)
    settings.write_text("financial_plan:\n  envelop: 5\n", encoding="utf-8")
    with pytest.raises(ReportgenError, match=r"report\.yaml:2: unknown key 'envelop'"):
        load_financial_plan(settings, PERIOD)


# -- the whole document from the samples --------------------------------------------------------------

@pytest.fixture(scope="module")
def document(tmp_path_factory):
    """`reportgen assess --period 2008-2011 --lang en,fr` on the sample returns, read back."""
    from pypdf import PdfReader

    outputs = tmp_path_factory.mktemp("assessment")
    assert main(["assess", "--period", "2008-2011", "--inputs", str(ROOT / "inputs"), "--outputs", str(outputs),
                 "--lang", "en,fr"]) == 0
    folder = outputs / "2008-2011"
    reader = PdfReader(folder / "assessment-2008-2011.pdf")
    pages = [page.extract_text() for page in reader.pages]
    return {"folder": folder, "json": json.loads((folder / "assessment-2008-2011.json").read_text(encoding="utf-8")),
            "html": (folder / "assessment-2008-2011.html").read_text(encoding="utf-8"),
            "fr": (folder / "assessment-2008-2011-fr.html").read_text(encoding="utf-8"),
            "pages": pages, "text": "\n".join(pages), "reader": reader}


def test_the_assessment_writes_html_pdf_and_json(document):
    names = sorted(p.name for p in document["folder"].iterdir())
    assert names == ["assessment-2008-2011-fr.html", "assessment-2008-2011-fr.pdf", "assessment-2008-2011.html",
                     "assessment-2008-2011.json", "assessment-2008-2011.pdf"]
    assert (document["folder"] / "assessment-2008-2011-fr.pdf").read_bytes().startswith(b"%PDF")


def test_the_json_has_what_contract_8_5_names(document):
    report = document["json"]
    assert report["period"] == "2008-2011" and report["years"] == [2008, 2009, 2010]
    assert report["provisional_years"] == [2010] and report["missing_years"] == [2011]
    for k in report["kpis"]:
        assert {"bureau", "output", "kpi", "series"} <= set(k)
        assert [p["year"] for p in k["series"]] == [2008, 2009, 2010]
        assert all({"year", "target", "actual", "achievement", "status"} <= set(p) for p in k["series"])
    for item in report["objectives"] + report["goals"]:
        assert set(item["status_counts"]) == {"2008", "2009", "2010"} and item["verdict"] in VERDICTS
    assert report["summary"]["objectives"] == {v: sum(o["verdict"] == v for o in report["objectives"]) for v in VERDICTS}
    finance = report["finance"]
    assert set(finance["total"]["by_year"]) == {"2008", "2009", "2010"}
    assert finance["total"]["budget"] == pytest.approx(sum(s["budget"] for s in finance["sectors"]))
    assert finance["total"]["budget"] == pytest.approx(sum(o["budget"] or 0 for o in finance["outputs"]))
    assert {"kpis_with_baseline", "kpis_reported_every_year", "outputs_with_budget_and_kpis"} <= set(report["linkage"])
    assert all({"count", "total"} <= set(v) for v in report["linkage"].values())
    assert report["lessons"] and all({"refers_to", "text", "evidence"} <= set(l) for l in report["lessons"])
    wide = [l for l in report["lessons"] if l["kind"] == "wide-margin"]
    assert [l["refers_to"] for l in wide] == ["R-02"] and "Administrations assisted with GE06" in wide[0]["text"]


def test_the_2009_series_agree_with_the_annual_report(document, built):
    series = {(k["bureau"], k["output"], fold(k["kpi"])): k for k in document["json"]["kpis"]}
    for annual in built["json"]["kpis"]:
        found = series[(annual["bureau"], annual["output"], fold(annual["kpi"]))]
        point = next(p for p in found["series"] if p["year"] == 2009)
        assert {k: point[k] for k in ("target", "actual", "achievement", "status", "source")} == {
            k: annual[k] for k in ("target", "actual", "achievement", "status", "source")}
    objectives = {o["code"]: o for o in document["json"]["objectives"]}
    for annual in built["json"]["objectives"]:
        assert objectives[annual["code"]]["status_counts"]["2009"] == annual["status_counts"]


def test_the_pdf_shows_the_provisional_year_the_verdicts_and_the_renamed_kpi(document):
    cover, text = document["pages"][0], document["text"]
    assert "Assessment of the results of the" in cover and "2010 (provisional)" in cover
    assert "Provisional figures." in cover and "Data status: illustrative." in cover
    pages = document["pages"]
    at = next(i for i, p in enumerate(pages) if "1 Summary of the assessment" in p and "Verdicts" in p)
    summary = "\n".join(pages[at:at + 2])  # the verdicts' table may open the next page
    assert "Verdict on each objective" in summary
    counts = document["json"]["summary"]["objectives"]
    assert f"on track {counts['on track']}, at risk {counts['at risk']}" in " ".join(summary.split())
    annex = text[text.index("Annex A"):]
    assert "ITU-R titles available online" in annex and "Titles available online" in annex
    assert "not in the return" in text  # a break shown in the series tables
    assert document["reader"].outline  # chapters as bookmarks


def test_the_french_assessment_is_in_french(document):
    html = document["fr"]
    assert 'lang="fr"' in html and "Évaluation des résultats" in html and "en bonne voie" in html
    assert "Verdict on each objective" not in html


# -- from the command line: a missing year, bad input ----------------------------------------------------

def test_a_period_with_a_missing_year(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    for y in ("2008", "2010"):
        shutil.copytree(ROOT / "inputs" / y, inputs / y)
    assert main(["assess", "--period", "2008-2011", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"),
                 "--no-pdf"]) == 0
    assert "no returns for 2009, 2011" in capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "2008-2011" / "assessment-2008-2011.json").read_text(encoding="utf-8"))
    assert report["years"] == [2008, 2010] and report["missing_years"] == [2009, 2011]
    assert [y["status"] for y in report["year_status"]] == ["final", "missing", "provisional", "missing"]
    member_states = next(k for k in report["kpis"] if k["kpi"] == "Member States represented at preparatory meetings")
    assert [p["year"] for p in member_states["series"]] == [2008, 2010] and member_states["gaps"] == []
    html = (tmp_path / "out" / "2008-2011" / "assessment-2008-2011.html").read_text(encoding="utf-8")
    assert "No returns were found for 2009 and 2011." in html


def test_no_returns_or_a_bad_period_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "2012").mkdir()
    assert main(["assess", "--period", "2008-2011", "--inputs", str(tmp_path), "--outputs", str(tmp_path / "o"),
                 "--no-pdf"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("reportgen: no returns for any year of 2008-2011") and error.count("\n") == 1
    assert main(["assess", "--period", "2011-2008", "--inputs", str(tmp_path)]) == 2
    assert "ends before it begins" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_the_financial_plan_envelope_in_the_document(tmp_path):
    inputs = tmp_path / "inputs"
    for y in ("2008", "2009"):
        shutil.copytree(ROOT / "inputs" / y, inputs / y)
    (inputs / "report.yaml").write_text("financial_plan:\n  envelope: 520000\n  sectors: {R: 120000}\n",
                                        encoding="utf-8")
    assert main(["assess", "--period", "2008-2011", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"),
                 "--no-pdf", "--doc-number", "PP10/35-E"]) == 0
    folder = tmp_path / "out" / "2008-2011"
    report = json.loads((folder / "assessment-2008-2011.json").read_text(encoding="utf-8"))
    plan = report["finance"]["financial_plan"]
    assert plan["envelope"] == 520000 and plan["sectors"] == {"R": 120000}
    assert plan["share_budgeted"] == pytest.approx(report["finance"]["total"]["budget"] / 520000)
    html = (folder / "assessment-2008-2011.html").read_text(encoding="utf-8")
    assert "sets an envelope of 520,000 thousand CHF" in html and "PP10/35-E" in html


def test_a_year_whose_only_file_is_unreadable_has_no_returns_but_its_problem_is_listed(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs" / "2008", inputs / "2008")
    (inputs / "2009").mkdir()
    (inputs / "2009" / "BR_2009.xlsx").write_bytes(b"not a workbook at all")
    assert main(["assess", "--period", "2008-2011", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"),
                 "--no-pdf"]) == 0
    report = json.loads((tmp_path / "out" / "2008-2011" / "assessment-2008-2011.json").read_text(encoding="utf-8"))
    assert report["years"] == [2008] and report["missing_years"] == [2009, 2010, 2011]
    assert [(p["file"], p["severity"]) for p in report["problems"] if p["year"] == 2009 and p["file"]] == [
        ("BR_2009.xlsx", "error")]


def test_the_2010_samples_are_what_their_script_writes(tmp_path):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_samples_2010", ROOT / "scripts" / "make_samples_2010.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples_2010"] = module
    spec.loader.exec_module(module)
    written = module.generate(tmp_path)
    assert sorted(p.name for p in written) == ["BDT_2010.xlsx", "BR_2010.xlsx", "GS_2010.xlsx", "TSB_2010.xlsx"]
    for path in written:
        assert path.read_bytes() == (ROOT / "inputs" / "2010" / path.name).read_bytes(), path.name


def test_every_configuration_problem_is_listed_at_once_before_anything_is_read(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs" / "2008", inputs / "2008")
    (inputs / "report.yaml").write_text("council: [a, b]\nfinancial_plan:\n  envelope: lots\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("achieved: high\n", encoding="utf-8")
    assert main(["assess", "--period", "2008-2011", "--inputs", str(inputs), "--outputs", str(tmp_path / "out"),
                 "--rules", str(rules), "--no-pdf"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("reportgen: 3 problems in the configuration files; nothing was written")
    assert "report.yaml:1: council" in error and "report.yaml:3: financial_plan envelope is 'lots'" in error
    assert "rules.yaml:1: " in error and not (tmp_path / "out").exists()
