"""The 2008-2011 plan file and its loader (reportgen/plan.py).

Besides spot checks, some tests re-read Tables 4.1-8.1 straight out of the plan text (the seed)
and compare them with the YAML, so a typo in either the data or the loader shows up.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from reportgen.errors import PlanError
from reportgen.plan.loader import PLANS_DIR, Plan, load_plan, plan_path
from reportgen.util.text import fold

REPOSITORY = Path(__file__).resolve().parents[1]
# The plan's text (contract, first lines) sits in the `shared/` folder beside the repository:
# next to a fresh clone, or a level or two up when the checkout is a worktree.
SEED_NAME = Path("shared", "seed", "000_0ab24cf5c5f3c471.txt")
PLAN_FILE = PLANS_DIR / "itu-2008-2011.yaml"


def find_seed() -> Path | None:
    """The seed in the nearest folder above the repository that holds `shared/seed/`."""
    return next((folder / SEED_NAME for folder in REPOSITORY.parents if (folder / SEED_NAME).is_file()), None)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="module")
def seed() -> Path:
    found = find_seed()
    if found is None:
        pytest.fail(f"the plan text {SEED_NAME} is not beside the repository (looked in every folder above "
                    f"{REPOSITORY}): put the shared/ folder next to the checkout", pytrace=False)
    return found


@pytest.fixture(scope="module")
def seed_lines(seed: Path) -> list[str]:
    return seed.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def seed_text(seed: Path) -> str:
    """The seed with white space folded, for wording checks."""
    return " ".join(seed.read_text(encoding="utf-8").split())


def plan_data() -> dict:
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- reading the seed


def segment(lines: list[str], start: str, end: str) -> list[str]:
    """The lines from the one starting with `start` (stripped) up to the one starting with `end`."""
    first = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    last = next(i for i in range(first + 1, len(lines)) if lines[i].strip().startswith(end))
    return lines[first:last]


def split_cells(marks: str) -> list[str]:
    """Cells of a marks string: one trailing space stripped, then split on single spaces."""
    assert marks.endswith(" "), repr(marks)
    return marks[:-1].split(" ")


def classify(line: str) -> tuple[str, list[str] | None]:
    """(name part, cells) of a table body line; cells is None when the line has no marks.

    A line is `name`, `name<space><cells><space>` or `<cells><space>`; a line of spaces only is a
    continuation of the previous row's marks (Table 5.1 splits some rows over several lines)."""
    if not line.strip(" x"):
        return "", split_cells(line)
    tokens = line.split(" ")
    last_word = max(i for i, t in enumerate(tokens) if t not in ("", "x"))
    rest = tokens[last_word + 1 :]
    if "x" not in rest:
        return line.strip(), None
    return " ".join(tokens[: last_word + 1]), split_cells(" ".join(rest))


def join_name(parts: list[str]) -> str:
    name = ""
    for part in parts:
        part = " ".join(part.split())
        name = name + part if not name or name.endswith("/") else f"{name} {part}"
    return name


def read_output_table(lines: list[str], columns: int, last_title: str) -> list[tuple[str, list[str]]]:
    """Rows (name, cells) of Table 4.1-7.1, in printed order, from the table's lines.

    The body starts after the head of the last objective column, whose words are `last_title`."""
    head = max(i for i, line in enumerate(lines) if line.strip() == f"Objective {columns}")
    words, i = len(last_title.split()), head + 1
    while words > 0:
        words -= len(lines[i].split())
        i += 1
    assert words == 0, "the last column head does not match the objective title"
    rows: list[tuple[list[str], list[str]]] = []
    for line in lines[i:]:
        if line == "":
            continue
        name, cells = classify(line)
        if name:
            if not rows or rows[-1][1]:
                rows.append(([], []))
            rows[-1][0].append(name)
        if cells is not None:
            rows[-1][1].extend(cells)
    return [(join_name(parts), cells) for parts, cells in rows]


def marked(cells: list[str], prefix: str) -> list[str]:
    assert set(cells) <= {"", "x"}, cells
    return [f"{prefix}{i}" for i, cell in enumerate(cells, 1) if cell == "x"]


TABLES = {  # sector: (table start, table end, number of objective columns)
    "R": ("TABLE  4.1", "5 Telecommunication Standardization Sector", 5),
    "T": ("TABLE  5.1", "6 Telecommunication Development Sector", 7),
    "D": ("TABLE  6.1", "PART III", 7),
    "INT": ("TABLE  7.1", "PART IV", 5),
}


# ----------------------------------------------------------------------------- counts and codes


def test_counts_match_figure_8_2(plan):
    assert len(plan.goals) == 7
    assert {s.code: len(s.objectives) for s in plan.sectors} == {"R": 5, "T": 7, "D": 7, "INT": 5}
    assert {s.code: len(s.outputs) for s in plan.sectors} == {"R": 12, "T": 12, "D": 13, "INT": 8}
    assert len(plan.outputs) == 45  # 8.2: "The Union has a total of 45 outputs"
    assert plan_data()["expected_counts"] == {
        "goals": 7,
        "objectives": {"R": 5, "T": 7, "D": 7, "INT": 5},
        "outputs": {"R": 12, "T": 12, "D": 13, "INT": 8},
    }


def test_plan_header(plan):
    assert plan.id == "itu-2008-2011"
    assert (plan.first_year, plan.last_year) == (2008, 2011)
    assert plan.source == "Annex 1 to Resolution 71 (Rev. Antalya, 2006)"
    assert plan_path() == PLAN_FILE


def test_codes_are_unique_and_well_formed(plan):
    codes = [g.code for g in plan.goals] + [s.code for s in plan.sectors]
    codes += [o.code for o in plan.objectives] + [o.code for o in plan.outputs]
    assert len(codes) == len(set(codes)) == 7 + 4 + 24 + 45
    assert [g.code for g in plan.goals] == [f"G{i}" for i in range(1, 8)]
    assert [s.code for s in plan.sectors] == ["R", "T", "D", "INT"]
    assert [s.bureau for s in plan.sectors] == ["BR", "TSB", "BDT", "GS"]
    for sector in plan.sectors:
        assert [o.code for o in sector.objectives] == [
            f"{sector.code}{i}" for i in range(1, len(sector.objectives) + 1)
        ]
        assert [o.number for o in sector.objectives] == list(range(1, len(sector.objectives) + 1))
        assert [o.code for o in sector.outputs] == [
            f"{sector.code}-{i:02d}" for i in range(1, len(sector.outputs) + 1)
        ]
        assert all(o.sector == sector.code for o in (*sector.objectives, *sector.outputs))
        names = [fold(o.name) for o in sector.outputs]
        assert len(names) == len(set(names))


def test_every_link_resolves(plan):
    goal_codes = {g.code for g in plan.goals}
    for objective in plan.objectives:
        assert objective.goals and set(objective.goals) <= goal_codes
        assert list(objective.goals) == sorted(objective.goals, key=lambda g: int(g[1:]))
    for sector in plan.sectors:
        own = {o.code for o in sector.objectives}
        for output in sector.outputs:
            assert output.objectives and set(output.objectives) <= own
        assert {o for out in sector.outputs for o in out.objectives} == own
    assert {g for o in plan.objectives for g in o.goals} == goal_codes


# ----------------------------------------------------------------------------- the tables, from the seed


def test_table_8_1_rows_parsed_from_seed(plan, seed_lines):
    pattern = re.compile(r"^(R|T|D|INT) Obj (\d) (.*)$")
    checked, ambiguous = [], {}
    for line in segment(seed_lines, "TABLE  8.1", "ANNEX  2"):
        match = pattern.match(line)
        if not match:
            continue
        code = f"{match[1]}{match[2]}"
        cells = split_cells(match[3])
        if len(cells) != 7:
            ambiguous[code] = cells
            continue
        assert plan.objective(code).goals == tuple(marked(cells, "G")), code
        checked.append(code)
    assert len(checked) + len(ambiguous) == 24
    assert set(ambiguous) == {"D4"}  # " x x  x   x ": eight cells for seven goals
    # The YAML's reading drops one blank cell; G2, G3, G5, G7 drops one of the last gap.
    cells = ambiguous["D4"]
    readings = {
        tuple(marked(cells[:i] + cells[i + 1 :], "G")) for i, cell in enumerate(cells) if cell == ""
    }
    assert plan.objective("D4").goals in readings
    assert plan.objective("D4").goals == ("G2", "G3", "G5", "G7")


def test_same_line_output_rows_parsed_from_seed(plan, seed_lines):
    """Rows whose whole name and marks are on one line, e.g. `WRC x     `, `TSAG x x x x  x  `."""
    checked = []
    for sector_code, (start, end, columns) in TABLES.items():
        sector = plan.sector(sector_code)
        table = segment(seed_lines, start, end)
        for output in sector.outputs:
            for line in table:
                if not line.startswith(output.name + " "):
                    continue
                marks = line[len(output.name) + 1 :]
                if marks.strip(" x") or "x" not in marks:
                    continue
                cells = split_cells(marks)
                if len(cells) != columns:
                    continue  # ITU TELECOM: six cells for five columns
                assert output.objectives == tuple(marked(cells, sector_code)), output.code
                checked.append(output.code)
    assert checked == [
        "R-01", "R-02", "R-12",
        "T-01", "T-03", "T-05", "T-07",
        "D-01", "D-02",
        "INT-04", "INT-06", "INT-07",
    ]  # fmt: skip


@pytest.mark.parametrize("sector_code", list(TABLES))
def test_output_tables_parsed_from_seed(plan, seed_lines, sector_code):
    """Every row of Tables 4.1-7.1: names in printed order, and the marks of every row whose
    cells (joined over continuation lines) fill exactly the table's columns."""
    start, end, columns = TABLES[sector_code]
    sector = plan.sector(sector_code)
    rows = read_output_table(segment(seed_lines, start, end), columns, sector.objectives[-1].title)
    assert [name for name, _ in rows] == [o.name for o in sector.outputs]
    odd = []
    for output, (_, cells) in zip(sector.outputs, rows):
        if len(cells) == columns:
            assert output.objectives == tuple(marked(cells, sector_code)), output.code
        else:
            odd.append(output.code)
            # One blank too many: every reading dropping one leading blank gives the same marks.
            assert len(cells) == columns + 1 and cells[0] == ""
            readings = {
                tuple(marked(cells[:i] + cells[i + 1 :], sector_code))
                for i, cell in enumerate(cells)
                if cell == "" and "x" not in cells[:i]
            }
            assert readings == {output.objectives}, output.code
    assert odd == (["INT-05"] if sector_code == "INT" else [])


def test_split_rows_of_table_5_1(plan, seed_lines):
    rows = dict(read_output_table(segment(seed_lines, *TABLES["T"][:2]), 7, plan.objective("T7").title))
    assert rows["WTSA regional consultation"] == ["", "x", "", "x", "x", "", "x"]
    assert rows["ITU operational bulletin"] == ["", "", "", "", "x", "", ""]
    assert rows["UIPRN/UISCN registrar"] == ["", "", "", "", "x", "", ""]
    assert plan.output("T-02").objectives == ("T2", "T4", "T5", "T7")
    assert plan.output("INT-05").objectives == ("INT3", "INT4", "INT5")


def test_links_as_read_by_the_lead(plan):
    """The full link lists, written out, so the file cannot drift silently when no seed is around."""
    outputs = {o.code: [x[len(o.sector) :] for x in o.objectives] for o in plan.outputs}
    expected = {
        "R-01": "1", "R-02": "1", "R-03": "2", "R-04": "2", "R-05": "3", "R-06": "4",
        "R-07": "5", "R-08": "1", "R-09": "1", "R-10": "1", "R-11": "5", "R-12": "5",
        "T-01": "1237", "T-02": "2457", "T-03": "12346", "T-04": "124567", "T-05": "124567",
        "T-06": "13457", "T-07": "2457", "T-08": "5", "T-09": "356", "T-10": "5", "T-11": "5",
        "T-12": "4567",
        "D-01": "12456", "D-02": "124567", "D-03": "1234567", "D-04": "13456", "D-05": "14",
        "D-06": "12346", "D-07": "134567", "D-08": "1234567", "D-09": "1234567", "D-10": "146",
        "D-11": "146", "D-12": "134", "D-13": "13456",
        "INT-01": "1234", "INT-02": "123", "INT-03": "1235", "INT-04": "12345", "INT-05": "345",
        "INT-06": "34", "INT-07": "34", "INT-08": "12345",
    }  # fmt: skip
    assert outputs == {code: list(digits) for code, digits in expected.items()}
    goals = {o.code: "".join(g[1:] for g in o.goals) for o in plan.objectives}
    assert goals == {
        "R1": "13", "R2": "124", "R3": "247", "R4": "6", "R5": "23",
        "T1": "1246", "T2": "1234", "T3": "123567", "T4": "2367", "T5": "2567", "T6": "123",
        "T7": "1267",
        "D1": "123", "D2": "27", "D3": "2357", "D4": "2357", "D5": "26", "D6": "26", "D7": "267",
        "INT1": "135", "INT2": "156", "INT3": "124567", "INT4": "137", "INT5": "2356",
    }  # fmt: skip


# ----------------------------------------------------------------------------- wording


def test_goal_wording(plan):
    assert plan.goal("G1").title == "Maintain and extend international cooperation"
    assert plan.goal("G1").text.startswith("Maintaining and extending international cooperation")
    assert plan.goal("G1").text.endswith("as called for by the relevant WSIS outcomes.")
    assert plan.goal("G2").title == (
        "Assist in bridging the digital divide, promote global connectivity through WSIS, etc."
    )
    assert plan.goal("G3").title == "Widen the Union’s membership"
    assert plan.goal("G4").text.endswith("integrity and interoperability of networks.")  # no footnote
    assert plan.goal("G7").title == "Promote the development of an enabling environment"
    assert plan.goal("G7").text.endswith("development of, the information society.")


def test_objective_wording(plan):
    assert plan.objective("R3").text.startswith(
        "To produce Recommendations on radiocommunication services"
    )
    assert plan.objective("R3").title == (
        "Produce recommendations to achieve connectivity and interoperability"
    )
    assert plan.objective("T3").title == (
        "Provide the most attractive forum for standardization in the interest of members"
    )
    assert plan.objective("T2").title == "Identify relevant areas for future standardization projects"
    assert plan.objective("D5").text.startswith("To support the implementation of global, regional")
    assert plan.objective("D5").text.endswith("at national, regional and global levels.")
    assert plan.objective("INT1").title == "Information to membership on activities and financial status"
    assert "modern IT-infrastructure" in plan.objective("INT1").text
    for objective in plan.objectives:
        assert objective.text.startswith("To ")
        assert not objective.text.startswith("Objective")
        assert "\n" not in objective.title and "  " not in objective.title


def test_all_texts_are_verbatim(plan, seed_text):
    for goal in plan.goals:
        text = goal.text.replace("of networks.", "of networks1.")  # the seed keeps the footnote mark
        assert f"Goal {goal.code[1:]}: {text}" in seed_text, goal.code
    for sector in plan.sectors:
        assert sector.mission in seed_text, sector.code
        assert sector.priorities in seed_text, sector.code
        for objective in sector.objectives:
            assert f"Objective {objective.number}: {objective.text}" in seed_text, objective.code
    assert " ".join(plan_data()["overall_mission"].split()) in seed_text


def test_missions_and_priorities(plan):
    assert plan.sector("R").mission.startswith(
        "The mission of the ITU Radiocommunication Sector (ITU-R) is to ensure, inter alia,"
    )
    assert plan.sector("T").mission.endswith("the activities of ITU-T and the relevant WSIS outcomes.")
    assert "pre-eminent promoter and catalyst" in plan.sector("D").mission
    assert plan.sector("INT").mission.startswith("The mission of the ITU General Secretariat")
    assert plan.sector("INT").name == "General Secretariat (intersectoral)"
    assert plan.sector("D").bureau_name == "Telecommunication Development Bureau"
    assert plan.sector("R").priorities.startswith("The five high-priority outputs for ITU-R")
    assert plan.sector("D").priorities.endswith("and global and regional initiatives.")
    for sector in plan.sectors:  # the loader folds white space
        assert "\n" not in sector.mission and "  " not in sector.mission
    data = plan_data()
    assert data["overall_mission"].startswith("The main mission of ITU – as a pre-eminent")


def test_high_priority_outputs(plan):
    flagged = [o.code for o in plan.outputs if o.high_priority]
    assert flagged == [
        "R-01", "R-02", "R-03", "R-04", "R-05", "R-06", "R-07",
        "T-01", "T-03", "T-04", "T-05", "T-06", "T-07",
        "D-01", "D-02", "D-04", "D-13",
        "INT-01", "INT-02", "INT-03", "INT-04",
    ]  # fmt: skip
    assert not plan.output("D-03").high_priority
    assert not plan.output("T-02").high_priority


def test_output_names(plan):
    names = {o.code: o.name for o in plan.outputs}
    assert names["R-03"] == "Processing of space notices & other related activities"
    assert names["R-09"] == "Radiocomm. Assemblies"
    assert names["T-11"] == "UIPRN/UISCN registrar"
    assert names["D-07"] == "Info. and comm. infrastructure and network development"
    assert names["D-08"] == "E-strategies, e-services, e-applications"
    assert names["T-12"] == "ITU-T general assistance and cooperation"
    assert names["INT-08"] == "Intersectoral coordination"
    assert all(name == " ".join(name.split()) for name in names.values())


def test_notes_explain_the_ambiguous_rows(plan):
    notes = " ".join(plan.notes)
    for needle in ("T-02", "T-08", "INT-05", "ITU-D Objective 4", '"five"', "D-13", "INT-03"):
        assert needle in notes


# ----------------------------------------------------------------------------- look-ups


def test_find_output_by_code_and_name(plan):
    assert plan.find_output("  wrc ").code == "R-01"
    assert plan.find_output("r-01").code == "R-01"
    assert plan.find_output("processing of SPACE notices &   other related activities").code == "R-03"
    assert plan.find_output("E-STRATEGIES,\te-services, e-applications").code == "D-08"
    assert plan.find_output("no such output") is None
    assert plan.find_outputs("") == ()


def test_study_groups_prefer_the_sector(plan):
    assert [o.code for o in plan.find_outputs("study groups")] == ["T-04", "D-02"]
    assert plan.find_output("Study groups", sector="T").code == "T-04"
    assert plan.find_output("Study groups", sector="D").code == "D-02"
    assert plan.find_output("Study groups").code == "T-04"  # no sector: the first
    assert plan.find_output("Study groups", sector="R").code == "T-04"  # R's is named otherwise
    assert plan.find_code("study GROUPS", sector="D") == "D-02"


def test_typed_lookups(plan):
    assert plan.goal("G5").title == "Continue to improve efficiency and effectiveness"
    assert plan.sector("T").bureau == "TSB"
    with pytest.raises(KeyError, match="not a objective"):
        plan.objective("R-01")
    with pytest.raises(KeyError):
        plan.output("X-99")
    assert plan.find_code("g4") == "G4"
    assert plan.find_code("int3") == "INT3"
    assert plan.find_code("ITU telecom") == "INT-05"
    assert plan.find_code("R") is None  # sectors are not returned
    assert plan.sector_of_bureau("bdt").code == "D"
    assert plan.sector_of_bureau("GS").code == "INT"
    assert plan.sector_of_bureau("XYZ") is None
    assert plan.similar_outputs("Radiocom assembly", sector="R")[0] == "R-09 (Radiocomm. Assemblies)"


def test_roll_up_helpers(plan):
    assert plan.goals_of_output(plan.output("R-01")) == ("G1", "G3")
    assert plan.goals_of_output(plan.output("R-06")) == ("G6",)
    assert plan.goals_of_output(plan.output("T-08")) == ("G2", "G5", "G6", "G7")
    assert plan.goals_of_output(plan.output("INT-06")) == tuple(f"G{i}" for i in range(1, 8))
    assert [o.code for o in plan.outputs_of_objective("R4")] == ["R-06"]
    assert [o.code for o in plan.outputs_of_objective("T3")] == ["T-01", "T-03", "T-06", "T-09"]
    assert [o.code for o in plan.outputs_of_objective("INT5")] == ["INT-03", "INT-04", "INT-05", "INT-08"]
    assert [o.code for o in plan.objectives_of_goal("G4")] == ["R2", "R3", "T1", "T2", "INT3"]
    assert len(plan.objectives_of_goal("G2")) == 19  # all but R1, R4, INT1, INT2, INT4


# ----------------------------------------------------------------------------- the loader's checks


def write_plan(tmp_path: Path, data) -> Path:
    path = tmp_path / "plan.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def sector_of(data: dict, code: str) -> dict:
    return next(s for s in data["sectors"] if s["code"] == code)


def item(items: list[dict], code: str) -> dict:
    return next(i for i in items if i["code"] == code)


def test_unchanged_copy_loads(tmp_path, plan):
    assert load_plan(write_plan(tmp_path, plan_data())) == plan


def test_duplicated_code(tmp_path):
    data = plan_data()
    item(sector_of(data, "D")["outputs"], "D-02")["code"] = "D-01"
    with pytest.raises(PlanError, match="code D-01 is used twice"):
        load_plan(write_plan(tmp_path, data))


def test_code_shared_between_kinds(tmp_path):
    data = plan_data()
    item(sector_of(data, "R")["outputs"], "R-01")["code"] = "G1"
    with pytest.raises(PlanError, match="code G1 is used twice"):
        load_plan(write_plan(tmp_path, data))


def test_duplicated_output_name(tmp_path):
    data = plan_data()
    item(sector_of(data, "T")["outputs"], "T-05")["name"] = "study  GROUPS"
    with pytest.raises(PlanError, match="output name 'study groups' is used twice in sector T"):
        load_plan(write_plan(tmp_path, data))


def test_output_links_to_unknown_objective(tmp_path):
    data = plan_data()
    item(sector_of(data, "R")["outputs"], "R-01")["objectives"] = ["R1", "R9"]
    with pytest.raises(PlanError, match="output R-01 links to R9, which is not an objective of sector R"):
        load_plan(write_plan(tmp_path, data))


def test_output_links_to_objective_of_another_sector(tmp_path):
    data = plan_data()
    item(sector_of(data, "T")["outputs"], "T-08")["objectives"] = ["D5"]
    with pytest.raises(PlanError, match="output T-08 links to D5, which is not an objective of sector T"):
        load_plan(write_plan(tmp_path, data))


def test_objective_links_to_unknown_goal(tmp_path):
    data = plan_data()
    item(sector_of(data, "INT")["objectives"], "INT2")["goals"] = ["G1", "G8"]
    with pytest.raises(PlanError, match="objective INT2 links to unknown goal G8"):
        load_plan(write_plan(tmp_path, data))


def test_objective_and_output_without_links(tmp_path):
    data = plan_data()
    item(sector_of(data, "R")["outputs"], "R-06")["objectives"] = []
    item(sector_of(data, "R")["objectives"], "R5")["goals"] = []
    with pytest.raises(PlanError) as error:
        load_plan(write_plan(tmp_path, data))
    message = str(error.value)
    assert "output R-06 serves no objective" in message
    assert "objective R4 has no output" in message
    assert "objective R5 serves no goal" in message


def test_wrong_expected_counts(tmp_path):
    data = plan_data()
    data["expected_counts"]["outputs"]["D"] = 14
    data["expected_counts"]["objectives"]["INT"] = 6
    data["expected_counts"]["goals"] = 8
    with pytest.raises(PlanError) as error:
        load_plan(write_plan(tmp_path, data))
    message = str(error.value)
    assert "sector D has 13 outputs, the plan says 14" in message
    assert "sector INT has 5 objectives, the plan says 6" in message
    assert "the plan has 7 goals, it says 8" in message


def test_missing_output_breaks_the_count(tmp_path):
    data = plan_data()
    sector_of(data, "R")["outputs"].pop()  # R-12 Seminars
    with pytest.raises(PlanError, match="sector R has 11 outputs, the plan says 12"):
        load_plan(write_plan(tmp_path, data))


def test_duplicated_bureau(tmp_path):
    data = plan_data()
    sector_of(data, "INT")["bureau"] = "BR"
    with pytest.raises(PlanError, match="bureau BR is used twice"):
        load_plan(write_plan(tmp_path, data))


def test_broken_yaml(tmp_path):
    path = write_plan(tmp_path, PLAN_FILE.read_text(encoding="utf-8") + "\nsectors: [unclosed\n")
    with pytest.raises(PlanError, match="cannot read plan file"):
        load_plan(path)


def test_missing_file(tmp_path):
    with pytest.raises(PlanError, match="cannot read plan file"):
        load_plan(tmp_path / "nope.yaml")


def test_missing_key(tmp_path):
    data = plan_data()
    del sector_of(data, "T")["mission"]
    with pytest.raises(PlanError, match="malformed.*mission"):
        load_plan(write_plan(tmp_path, data))


def test_not_a_mapping(tmp_path):
    with pytest.raises(PlanError, match="malformed"):
        load_plan(write_plan(tmp_path, "- just\n- a list\n"))


def test_empty_value(tmp_path):
    """`text:` with nothing after it is None in YAML: a PlanError, not an AttributeError."""
    data = plan_data()
    data["goals"][0]["text"] = None
    with pytest.raises(PlanError, match="malformed"):
        load_plan(write_plan(tmp_path, data))
