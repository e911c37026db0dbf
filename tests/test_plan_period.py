"""A plan file as a user writes it: its period, its problems with their lines (issue 16), and its
mandate texts, which make a new plan period a matter of data (issue 11, item 6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reportgen.errors import ConfigError, PlanError
from reportgen.plan.loader import language_path, load_plan, localise, plan_path, translation_gaps

PLAN_TEXT = plan_path().read_text(encoding="utf-8")
PERIOD_LINE = PLAN_TEXT.splitlines().index("period: [2008, 2011]") + 1


def plan_file(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_period(tmp_path: Path, period: str) -> Path:
    return plan_file(tmp_path, PLAN_TEXT.replace("period: [2008, 2011]", f"period: {period}"))


@pytest.mark.parametrize("period, words", [
    ("[2009]", "period is a list [2009]: it needs two years, the first and the last"),  # issue 16: IndexError
    ("[2008, 2011, 2015]", "it needs two years"),
    ("2008-2011", "period is '2008-2011': it needs two years"),
    ("[2008, '2011']", "period: '2011' is not a year"),
    ("[2008, true]", "period: true is not a year"),
    ("[208, 2011]", "period: 208 is not a year"),
    ("[2011, 2008]", "period [2011, 2008] runs backwards"),  # issue 16: accepted
    ("", "'period' is missing"),
])
def test_a_bad_period_is_named_with_its_line(tmp_path, period, words):
    path = with_period(tmp_path, period)
    with pytest.raises(PlanError) as error:
        load_plan(path)
    [problem] = error.value.problems
    assert (problem.file, problem.line) == (str(path), PERIOD_LINE)
    assert words in problem.message
    assert "period: [" in problem.fix
    assert str(error.value).startswith(f"the plan file is malformed: {path}:{PERIOD_LINE}: ")


def test_a_reversed_period_says_how_to_write_it(tmp_path):
    with pytest.raises(PlanError, match=r"\(write the first year first: period: \[2008, 2011\]\)"):
        load_plan(with_period(tmp_path, "[2011, 2008]"))


def test_a_one_year_period_is_a_period(tmp_path):
    plan = load_plan(with_period(tmp_path, "[2009, 2009]"))
    assert (plan.first_year, plan.last_year) == (2009, 2009)


def test_every_problem_of_a_plan_file_at_once(tmp_path):
    text = (PLAN_TEXT.replace("period: [2008, 2011]", "period: [2011, 2008]")
            .replace("{code: R-08, name: Radio Regulations Board, objectives: [R1]}",
                     "{code: R-08, name: Radio Regulations Board, objectives: [R1], high_priority: maybe}")
            .replace("        number: 3\n", "        number: three\n", 1))
    path = plan_file(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_plan(path)
    lines = text.splitlines()
    expected = [PERIOD_LINE, lines.index("        number: three") + 1,
                next(i for i, line in enumerate(lines, 1) if "high_priority: maybe" in line)]
    assert [p.line for p in error.value.problems] == expected
    messages = [p.message for p in error.value.problems]
    assert messages[1:] == ["objective R3: 'number' is 'three'", "output R-08: 'high_priority' is 'maybe'"]


def test_an_inconsistency_names_the_line_of_the_entry(tmp_path):
    text = PLAN_TEXT.replace("goals: [G1, G3]          #", "goals: [G1, G9]          #")
    path = plan_file(tmp_path, text)
    with pytest.raises(PlanError) as error:
        load_plan(path)
    [problem] = error.value.problems
    assert problem.line == next(i for i, line in enumerate(text.splitlines(), 1) if "- code: R1" in line)
    assert str(problem).endswith("objective R1 links to unknown goal G9 (use one of G1, G2, G3, G4, G5, G6, G7)")


def test_a_plan_file_not_in_utf8(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(PLAN_TEXT.replace("Widen the Union’s membership", "Élargir").encode("latin-1", "replace"))
    with pytest.raises(PlanError, match=r"cannot read plan file: .*plan\.yaml:\d+: the plan file is not UTF-8"):
        load_plan(path)


def test_a_plan_translation_with_a_bad_section_names_its_line(tmp_path):
    path = plan_file(tmp_path, PLAN_TEXT)
    plan = load_plan(path)
    language_path(plan, "fr").write_text("title: Plan\ngoals:\n  - G1\n", encoding="utf-8")
    with pytest.raises(PlanError) as error:
        localise(plan, "fr")
    [problem] = error.value.problems
    assert (Path(problem.file).name, problem.line, problem.message) == ("plan.fr.yaml", 2, "'goals' is a list [G1]")


def test_the_mandate_is_read_and_translated():
    plan = load_plan()
    assert plan.mandate.goals_table == "Table 8.1"
    assert plan.mandate.references.startswith("Resolution 71 (Rev. Antalya, 2006): Strategic plan")
    french = localise(plan, "fr").mandate
    assert french.goals_table == "Tableau 8.1"
    assert "Résolution 71" in french.reporting and "Résolution 71" in french.distribution
    for lang in ("fr", "es", "ar", "zh", "ru"):
        local = localise(plan, lang).mandate
        assert "mandate" not in translation_gaps(plan, lang)[0]
        assert all(getattr(local, name) != getattr(plan.mandate, name)
                   for name in ("reporting", "references", "distribution", "circulation", "goals_table")), lang


def test_a_plan_without_a_mandate_is_refused(tmp_path):
    start = PLAN_TEXT.index("mandate:\n")
    end = PLAN_TEXT.index("expected_counts:")
    path = plan_file(tmp_path, PLAN_TEXT[:start] + PLAN_TEXT[end:])
    with pytest.raises(PlanError, match="the plan: 'mandate' is missing or empty"):
        load_plan(path)


# ------------------------------------------------- another plan period is data (issue 11, item 6)

ROOT = Path(__file__).resolve().parents[1]
OTHER_PLAN = ROOT / "tests" / "fixtures" / "plans" / "other-plan.yaml"


def other_plan_returns(inputs: Path) -> None:
    """Returns of the other plan's two bureaux for 2016 and 2017, made in code."""
    from tests.workbooks import KPI_HEADER, about, write_workbook

    for year in (2016, 2017):
        write_workbook(inputs / str(year) / f"SPB_{year}.xlsx", {
            "About": about("SPB", year),
            "KPIs": [KPI_HEADER,
                     ["SP.1-a", "Decisions published on time", "%", 80, 100, 95 if year == 2017 else 70, "higher", ""],
                     ["Filing service", "Days to process a filing", "days", 90, 60, 75, "lower", "backlog halved"],
                     ["SP.2-a", "Handbooks published", "titles", 2, 4, 1, "higher", ""],
                     ["SP.2-a", "Handbook downloads", "thousand", None, 50, None, "higher", ""]],
            "Finance": [["Output", "Budget", "Expenditure"], ["SP.1-a", 1200, 1390], ["SP.1-b", 800, 790],
                        ["SP.2-a", 300, 150]],
            "Proposals": [["Source", "Refers to", "Proposal"],
                          ["Spectrum Advisory Group", "SP.2", "Publish the handbooks online first."]],
        })
        write_workbook(inputs / str(year) / f"NWB_{year}.xlsx", {
            "About": about("NWB", year),
            "KPIs": [KPI_HEADER,
                     ["NW.1-a", "Villages connected", "villages", 100, 300, 310, "higher", ""],
                     ["Broadband mapping", "Countries mapped", "countries", 10, 40, 12, "higher", ""],
                     ["NW.1-b", "Map updates", "updates", None, 12, 3, "higher", ""],
                     ["SP.1-a", "Not this bureau's output", "", None, 1, 1, "higher", ""]],
            "Finance": [["Output", "Budget", "Expenditure"], ["NW.1-a", 2000, 1900], ["NW.1-b", 400, 380]],
        })
    (inputs / "report.yaml").write_text("document_number: C17/35-{L}\ncouncil: Council 2017\n", encoding="utf-8")


@pytest.fixture(scope="module")
def other_report(tmp_path_factory) -> dict[str, str]:
    """The 2017 report of the other plan, in English and French, through the command line; every
    text a reader can see in it (HTML text and attributes, JSON, data workbook)."""
    import openpyxl

    from reportgen.cli import main

    folder = tmp_path_factory.mktemp("other-plan")
    inputs, outputs = folder / "inputs", folder / "outputs"
    other_plan_returns(inputs)
    assert main(["build", "--year", "2017", "--inputs", str(inputs), "--outputs", str(outputs),
                 "--plan", str(OTHER_PLAN), "--lang", "en,fr", "--no-pdf"]) == 0
    out = outputs / "2017"
    workbook = openpyxl.load_workbook(out / "data-2017.xlsx", read_only=True)
    return {
        "en": visible_text((out / "report-2017.html").read_text(encoding="utf-8")),
        "fr": visible_text((out / "report-2017-fr.html").read_text(encoding="utf-8")),
        "json": (out / "report-2017.json").read_text(encoding="utf-8"),
        "xlsx": "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                          for value in row if value is not None),
    }


def visible_text(html: str) -> str:
    """The text of a page and of its attributes (ids, alt texts, titles, bookmarks), without its
    styles, fonts and images: what a reader or a screen reader meets."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.hidden += tag in ("style", "script")
            self.parts += [value for name, value in attrs
                           if value and name not in ("src", "style", "d", "points") and not value.startswith("data:")]

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("style", "script")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def words_of_the_2008_2011_plan() -> set[str]:
    """Every word of the 2008-2011 plan that must not show in another plan's report: its
    resolution, period, table, codes, bureaux and texts, in English and French. (Its "Table 4.1"
    to "Table 7.1" are left out: the report numbers its own tables by chapter.)"""
    old = load_plan()
    french = localise(old, "fr")
    words = {"Antalya", "Resolution 71", "Resolution 72", "Résolution 71", "2008-2011", "2008", "2011",
             "Table 8.1", "Tableau 8.1", "No. 235", "seven goals", "sept buts", "ITU-R", "ITU-T", "ITU-D",
             "UIT-R", "UIT-T", "UIT-D"}
    for plan in (old, french):
        words |= {plan.title, plan.source, plan.mandate.reporting, plan.mandate.references}
        words |= {g.code for g in plan.goals} | {g.title for g in plan.goals}
        words |= {s.bureau for s in plan.sectors} | {s.name for s in plan.sectors}
        words |= {s.bureau_name for s in plan.sectors}
        words |= {o.code for o in plan.objectives} | {o.title for o in plan.objectives}
        words |= {o.code for o in plan.outputs} | {o.name for o in plan.outputs}
    return words


def found(words: set[str], text: str) -> list[str]:
    return sorted(w for w in words if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", text))


def test_a_report_from_another_plan_has_none_of_the_2008_2011_plans_words(other_report):
    words = words_of_the_2008_2011_plan()
    assert {"R-01", "INT-08", "G7", "Radiocommunication Bureau", "WRC"} <= words
    for name, text in other_report.items():
        assert found(words, text) == [], name


def test_a_report_from_another_plan_cites_that_plans_own_mandate(other_report):
    english, french = other_report["en"], other_report["fr"]
    plan = load_plan(OTHER_PLAN)
    for text in (plan.title, plan.mandate.reporting, plan.mandate.references, "Spectrum Sector",
                 "Networks Bureau", "SP.1-a", "NW.1-b", "GA", "GB",
                 "serves one or more of the Union's goals (Annex B of the plan)", "Objectives (Annex B)",
                 "Objectives and the goals they serve (Annex B), by share of KPIs achieved, 2017"):
        assert text in english, text
    for text in ("Plan stratégique de l'Union pour 2016-2019", "La Résolution 900 (Rév. Lakeside, 2014) demande",
                 "Résolution 900 (Rév. Lakeside, 2014) : Plan stratégique", "(Annexe B du plan)",
                 "Objectifs (Annexe B)", "Secteur du spectre", "Conférences sur le spectre"):
        assert text in french, text
    # The other plan's links hold: an output of another bureau's sector is an error at its cell.
    report = json.loads(other_report["json"])
    assert (report["plan"], [g["code"] for g in report["goals"]]) == ("other-2016-2019", ["GA", "GB"])
    assert [(p["file"], p["sheet"], p["row"], p["column"]) for p in report["problems"] if p["severity"] == "error"] \
        == [("NWB_2017.xlsx", "KPIs", 5, "Output")]


def cover_letter(mandate) -> str:
    """The cover letter of `reportgen distribute`, written for a plan's mandate."""
    import jinja2

    from reportgen.resources import TEMPLATES_DIR

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template("mail/cover-letter.txt.j2").render(
        state={"name": "Ruritania"}, year=2017, approval={"by": "Council 2018", "at": "2018-06-20T10:00:00Z",
                                                            "note": None},
        plan_title="Strategic plan", mandate=mandate, attachment={"path": "report-2017.pdf", "sha256": "0" * 64},
        fallback=False, language="English")


def test_the_cover_letter_cites_the_plans_own_resolution():
    other = cover_letter(load_plan(OTHER_PLAN).mandate)
    assert "Resolution 900 (Rev. Lakeside, 2014) asks the Secretary-General" in " ".join(other.split())
    assert found(words_of_the_2008_2011_plan(), other) == []
    assert "Conference urged" not in other  # the other plan has no circulation clause
    ours = " ".join(cover_letter(load_plan().mandate).split())
    assert ("Resolution 71 (Rev. Antalya, 2006) of the Plenipotentiary Conference instructs the Secretary-General "
            "to distribute the annual progress reports") in ours
    assert "referred to in No. 235 of the Convention" in ours
    for letter in (other, cover_letter(load_plan().mandate)):  # the letter's lines stay short, the hash aside
        assert max(len(line) for line in letter.splitlines() if not line.startswith("SHA-256")) <= 72


def test_the_2008_2011_report_still_cites_resolution_71(built):
    html = " ".join(visible_text(built["html"]).split())
    assert ("Resolution 71 (Rev. Antalya, 2006) instructs the Secretary-General to report annually to the Council"
            in html)
    assert "Resolution 72 (Rev. Antalya, 2006): Linking strategic, financial and operational planning in ITU." in html
    assert "serves one or more of the Union's goals (Table 8.1 of the plan)" in html
    assert "Objectives (Table 8.1)" in html


def test_editing_another_plans_translation_means_a_new_build(tmp_path):
    """The French texts of a plan given with --plan are read beside it: the rebuild check counts them."""
    import shutil

    from reportgen.options import Options
    from reportgen.pipeline.cache import key_for

    plan = tmp_path / "other-plan.yaml"
    shutil.copy(OTHER_PLAN, plan)
    french = shutil.copy(OTHER_PLAN.with_name("other-plan.fr.yaml"), tmp_path / "other-plan.fr.yaml")
    options = Options(inputs=tmp_path / "inputs", plan_file=plan)
    before = key_for(2017, options)
    Path(french).write_text(Path(french).read_text(encoding="utf-8").replace("Annexe B", "Annexe C"), encoding="utf-8")
    assert key_for(2017, options) != before
    assert localise(load_plan(plan), "fr").mandate.goals_table == "Annexe C"
