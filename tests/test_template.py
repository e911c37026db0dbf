"""`reportgen template`: what a Bureau sees when it opens the template, and that a template
filled in and dropped back into inputs/<YEAR>/ validates without error."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from reportgen.pipeline.build import read_year
from reportgen.cli import main
from reportgen.pipeline.ingest import Limits
from reportgen.plan.loader import load_plan
from reportgen.bureau.template import outputs_markdown

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
GUIDE = ROOT / "docs" / "bureau-guide.md"
PLAN = load_plan()
BUREAUX = [s.bureau for s in PLAN.sectors]


def make_template(tmp_path: Path, year: int, bureau: str, inputs: Path | None = None,
                  out: Path | None = None) -> Path:
    out = out or tmp_path / "out" / f"{bureau}_{year}.xlsx"
    argv = ["template", "--year", str(year), "--bureau", bureau, "--out", str(out)]
    if inputs is not None:
        argv += ["--inputs", str(inputs)]
    else:
        argv += ["--inputs", str(tmp_path / "no-inputs")]
    assert main(argv) == 0
    return out


def validation_at(sheet, cell: str):
    """The data validations that apply to `cell`."""
    return [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]


def list_values(dv) -> list[str]:
    return dv.formula1.strip('"').split(",")


def kpi_rows(sheet) -> list[dict]:
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2, values_only=True)
            if any(v is not None for v in row)]


def problem_lines(text: str, severity: str) -> list[str]:
    return [line for line in text.splitlines() if f": {severity}: " in line]


# -- what the Bureau sees -----------------------------------------------------------------------

@pytest.mark.parametrize("bureau", BUREAUX)
def test_kpis_sheet_lists_every_output_with_dropdowns(tmp_path: Path, bureau: str) -> None:
    sector = PLAN.sector_of_bureau(bureau)
    book = openpyxl.load_workbook(make_template(tmp_path, 2009, bureau))
    assert book.sheetnames == ["Instructions", "About", "KPIs", "Finance", "Proposals", "Highlights",
                               *(["Financial situation"] if bureau == "GS" else []), "Outputs"]
    assert book.active.title == "Instructions"
    kpis = book["KPIs"]
    assert [c.value for c in kpis[1]] == ["Output", "KPI", "Unit", "Baseline", "Target", "Actual",
                                          "Direction", "Comment", "Objective"]
    codes = [o.code for o in sector.outputs]
    assert [r["Output"] for r in kpi_rows(kpis)] == codes  # no earlier year: one row per output
    for cell in ("A2", "A40", "A501"):
        (output_list,) = [dv for dv in validation_at(kpis, cell) if dv.type == "list"]
        assert list_values(output_list) == codes
    for cell in ("G2", "G501"):
        (direction,) = validation_at(kpis, cell)
        assert direction.type == "list" and list_values(direction) == ["higher", "lower"]
        assert direction.errorStyle == "stop"
    for column in "DEF":
        for row in (2, 501):
            assert [dv.type for dv in validation_at(kpis, f"{column}{row}")] == ["decimal"]
    assert validation_at(kpis, "B2") == []  # the KPI name is free text
    (objectives,) = validation_at(kpis, "I2")  # contract 8.1: the sector's objectives, several allowed
    assert list_values(objectives) == [o.code for o in sector.objectives]
    assert objectives.errorStyle == "warning"
    finance = book["Finance"]
    assert [r[0] for r in finance.iter_rows(min_row=2, values_only=True) if r[0]] == codes
    assert list_values(validation_at(finance, "A300")[0]) == codes
    for cell in ("B2", "C501"):
        (amount,) = validation_at(finance, cell)
        assert amount.type == "decimal" and amount.operator == "greaterThanOrEqual"
    outputs = book["Outputs"]
    listed = {r[0]: r[1] for r in outputs.iter_rows(min_row=2, values_only=True)}
    assert listed == {o.code: o.name for o in sector.outputs}


def test_headers_frozen_styled_and_readable(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(make_template(tmp_path, 2009, "TSB"))
    for name, headers in (("KPIs", 8), ("Finance", 3), ("Proposals", 3), ("Highlights", 2),
                          ("Outputs", 4)):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        for cell in sheet[1][:headers]:
            assert cell.font.bold and cell.value, (name, cell.coordinate)
    assert [c.value for c in book["Proposals"][1]] == ["Source", "Refers to", "Proposal", "Ref"]
    assert [c.value for c in book["Highlights"][1]] == ["Refers to", "Text"]
    assert book["KPIs"].column_dimensions["B"].width >= 40  # KPI names are long
    assert book["KPIs"]["E1"].comment is not None  # hovering a header explains the column


def test_about_is_prefilled(tmp_path: Path) -> None:
    about = openpyxl.load_workbook(make_template(tmp_path, 2010, "bdt"))["About"]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert values == {"Bureau": "BDT", "Year": 2010, "Prepared by": None, "Date": None,
                      "Data status": "final"}


def test_instructions_name_the_folder_formats_and_outputs(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(make_template(tmp_path, 2009, "GS"))["Instructions"]
    text = "\n".join(str(r[0]) for r in sheet.iter_rows(values_only=True) if r[0])
    assert "inputs/2009/" in text
    assert "1,250" in text and "85%" in text  # number formats the contract accepts
    assert "higher" in text and "lower" in text
    for output in PLAN.sector("INT").outputs:
        assert f"{output.code}  {output.name}" in text


def test_last_years_kpis_are_carried_over(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(make_template(tmp_path, 2009, "BR", inputs=INPUTS))
    rows = kpi_rows(book["KPIs"])
    last_year, _ = read_year(2008, INPUTS, PLAN, Limits())
    carried = [k for k in last_year.kpis if k.bureau == "BR"]
    assert len(carried) >= 12
    by_name = {(r["Output"], r["KPI"]): r for r in rows}
    for entry in carried:
        row = by_name[(entry.output, entry.kpi)]
        assert row["Unit"] == entry.unit
        assert row["Baseline"] == entry.actual  # last year's actual is this year's baseline
        assert row["Target"] == entry.target
        assert row["Direction"] == entry.direction
        assert row["Actual"] is None
    # Every output still stands, in the plan's order.
    codes = [o.code for o in PLAN.sector("R").outputs]
    assert sorted({r["Output"] for r in rows}, key=codes.index) == codes
    assert [r["Output"] for r in rows] == sorted((r["Output"] for r in rows), key=codes.index)


def test_default_path_and_unknown_bureau(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["template", "--year", "2009", "--bureau", "TSB", "--inputs", str(INPUTS),
                 "--outputs", str(tmp_path)])
    assert code == 0
    assert (tmp_path / "2009" / "templates" / "TSB_2009.xlsx").is_file()
    assert "carried over from 2008" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "2009" / "templates").iterdir()] == ["TSB_2009.xlsx"]  # no temp left
    assert main(["template", "--year", "2009", "--bureau", "ITU", "--outputs", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown bureau 'ITU'" in err and "BR" in err and "Traceback" not in err


# -- never over a file, never into the inputs (issue 16) ----------------------------------------

def test_out_never_replaces_an_existing_file_without_force(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The finding: `--out` over a filled return replaced it silently; the next build lost 30 KPIs."""
    filled = tmp_path / "mail" / "BR_2009.xlsx"
    filled.parent.mkdir()
    shutil.copy(INPUTS / "2009" / "BR_2009.xlsx", filled)
    before = filled.read_bytes()
    argv = ["template", "--year", "2010", "--bureau", "BR", "--inputs", str(INPUTS), "--out", str(filled)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(filled) in err and "already exists" in err and "--force" in err
    assert filled.read_bytes() == before
    assert sorted(p.name for p in filled.parent.iterdir()) == ["BR_2009.xlsx"]  # no temporary file left

    assert main(argv + ["--force"]) == 0
    assert "Instructions" in openpyxl.load_workbook(filled).sheetnames


@pytest.mark.parametrize("target", ["the-return", "a-new-file", "through-a-link"])
def test_out_inside_the_inputs_folder_is_refused_even_with_force(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                 target: str) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    (tmp_path / "link").symlink_to(inputs / "2009")
    out = {"the-return": inputs / "2009" / "BR_2009.xlsx", "a-new-file": inputs / "2010" / "BR_2010.xlsx",
           "through-a-link": tmp_path / "link" / "BR_2009.xlsx"}[target]
    before = {p: p.read_bytes() for p in inputs.rglob("*") if p.is_file()}
    for force in ([], ["--force"]):
        assert main(["template", "--year", "2010", "--bureau", "BR", "--inputs", str(inputs),
                     "--out", str(out), *force]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "inside the inputs folder" in err
    assert {p: p.read_bytes() for p in inputs.rglob("*") if p.is_file()} == before


def test_the_template_module_has_no_command_line_code() -> None:
    """Its argparse code lives in reportgen/cli/bureau.py; the domain module takes typed options."""
    import ast

    tree = ast.parse((ROOT / "reportgen" / "bureau" / "template.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "argparse" not in imported
    assert not [name for name in imported if name == "reportgen.cli" or name.startswith("reportgen.cli.")]


def test_write_template_takes_typed_options(tmp_path: Path) -> None:
    from reportgen.bureau.template import TemplateOptions, write_template

    result = write_template(TemplateOptions(year=2009, bureau="GS", out=tmp_path / "GS.xlsx", inputs=INPUTS))
    assert result.path == tmp_path / "GS.xlsx" and result.carried_from == 2008 and result.carried > 0
    about = openpyxl.load_workbook(result.path)["About"]
    assert {row[0]: row[1] for row in about.iter_rows(values_only=True)}["Bureau"] == "GS"


# -- round trip: filled in, dropped back, validated ----------------------------------------------

def fill(path: Path, name_missing: bool) -> None:
    """Do what a Bureau does: type actuals (and names and targets where empty), About, Finance."""
    book = openpyxl.load_workbook(path)
    kpis = book["KPIs"]
    for row in range(2, kpis.max_row + 1):
        if kpis.cell(row, 1).value is None:
            continue
        if name_missing:
            kpis.cell(row, 2).value = f"Indicator for {kpis.cell(row, 1).value}"
            kpis.cell(row, 3).value = "number"
            kpis.cell(row, 5).value = 100
        target = kpis.cell(row, 5).value
        # an actual near the target, as real figures are (one 1000 times off is warned as a slip)
        kpis.cell(row, 6).value = round(target * 0.9) + row if isinstance(target, (int, float)) else 90 + row
    book["About"]["B3"] = "Strategic Planning Unit"
    book["About"]["B4"] = "2010-01-15"
    finance = book["Finance"]
    for row in range(2, finance.max_row + 1):
        finance.cell(row, 2).value = 1000
        finance.cell(row, 3).value = 950
    book["Proposals"].append(["RAG", "R-03", "Keep the 12-month processing target."])
    book["Highlights"].append(["R1", "Preparations for WRC-12 on track."])
    book.save(path)


@pytest.mark.parametrize("carried", [True, False], ids=["from-2008", "fresh"])
def test_filled_template_validates_without_error(tmp_path: Path, carried: bool,
                                                 capsys: pytest.CaptureFixture) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "2009").mkdir(parents=True)
    if carried:
        shutil.copytree(INPUTS / "2008", inputs / "2008")
    path = make_template(tmp_path, 2009, "BR", inputs=inputs)
    fill(path, name_missing=not carried)
    shutil.copy(path, inputs / "2009" / "BR_2009.xlsx")  # the Bureau sends it back; it is filed
    capsys.readouterr()
    code = main(["validate", "--year", "2009", "--inputs", str(inputs)])
    out = capsys.readouterr().out
    assert problem_lines(out, "error") == []
    assert code == 0
    # Nothing at all is said about the file itself: the template's Instructions and Outputs
    # sheets are known to validate as guidance.
    assert [line for line in problem_lines(out, "warning") if line.startswith("BR_2009.xlsx")] == []


def test_unfilled_fresh_template_has_no_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Dropped back untouched, the rows with only their pre-filled Output are taken as empty:
    no error, but a warning for each output that still has no indicator."""
    inputs = tmp_path / "inputs"
    (inputs / "2009").mkdir(parents=True)
    shutil.copy(make_template(tmp_path, 2009, "TSB", inputs=inputs), inputs / "2009" / "TSB_2009.xlsx")
    capsys.readouterr()
    code = main(["validate", "--year", "2009", "--inputs", str(inputs)])
    out = capsys.readouterr().out
    assert problem_lines(out, "error") == []
    assert code == 0
    for output in PLAN.sector("T").outputs:
        assert f"output {output.code} ({output.name}) has no KPI in the TSB return" in out


# -- the guide ---------------------------------------------------------------------------------

def test_guide_lists_every_output_code() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    assert outputs_markdown(PLAN) in guide, (
        "the output tables in docs/bureau-guide.md differ from the plan: replace them with "
        "the text of reportgen.bureau.template.outputs_markdown(load_plan())")
    for output in PLAN.outputs:
        assert f"`{output.code}`" in guide
    assert (ROOT / "docs" / "img" / "template-kpis.png").is_file()


def test_the_unit_column_offers_the_units_the_report_translates(tmp_path: Path) -> None:
    from reportgen.i18n.terms import UNIT_CHOICES

    book = openpyxl.load_workbook(make_template(tmp_path, 2009, "BR"))
    kpis = book["KPIs"]
    unit_letter = next(c.column_letter for c in kpis[1] if c.value == "Unit")
    rules = [r for r in kpis.data_validations.dataValidation if str(r.sqref).startswith(f"{unit_letter}2")]
    assert len(rules) == 1 and rules[0].type == "list"
    assert rules[0].formula1.strip('"').split(",") == list(UNIT_CHOICES)
    assert rules[0].errorStyle == "warning"  # free text stays allowed
