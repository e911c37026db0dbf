"""`reportgen validate --feedback DIR`: the file sent back to a Bureau shows each problem where
it stands (coloured cell, note) and lists them all on a first sheet, Problems."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from reportgen.cli import main
from reportgen.bureau.feedback import ERROR_FILL, WARNING_FILL, feedback_name
from reportgen.util.text import header_key

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    for year in ("2008", "2009"):
        shutil.copytree(INPUTS / year, folder / year)
    return folder


def run(inputs: Path, feedback: Path, year: int, capsys: pytest.CaptureFixture) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["validate", "--year", str(year), "--inputs", str(inputs), "--format", "json",
                 "--feedback", str(feedback)])
    return code, json.loads(capsys.readouterr().out)["problems"]


def problems_listed(book) -> list[dict]:
    """The rows of the Problems sheet, keyed by its headers."""
    sheet = book["Problems"]
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Severity")
    headers = rows[at]
    return [dict(zip(headers, r)) for r in rows[at + 1:] if r and r[0] in ("error", "warning")]


def fill_of(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return str(cell.fill.fgColor.rgb)[-6:]


def column_of(path: Path, sheet: str, header: str) -> str:
    """The letter of `header` in the sheet's header row, read from the original file."""
    book = openpyxl.load_workbook(path, read_only=True)
    for row in book[sheet].iter_rows():
        cells = [c for c in row if c.value is not None]
        if len(cells) >= 2:
            return next(c.column_letter for c in cells if header_key(str(c.value)) == header_key(header))
    raise AssertionError(header)


def test_each_workbook_gets_a_feedback_copy_listing_its_problems(inputs: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    feedback = tmp_path / "feedback"
    code, problems = run(inputs, feedback, 2009, capsys)
    assert code == 1
    written = sorted(p.name for p in feedback.iterdir())
    assert written == ["BDT_2009-feedback.xlsx", "BR_2009-feedback.xlsx", "GS_2009-feedback.xlsx",
                       "TSB_2009-feedback.xlsx"]
    for name in written:
        original = name.replace("-feedback", "")
        book = openpyxl.load_workbook(feedback / name)
        assert book.sheetnames[0] == "Problems" and book.active.title == "Problems"
        # The Bureau's own sheets are all there too.
        assert set(openpyxl.load_workbook(inputs / "2009" / original).sheetnames) < set(book.sheetnames)
        expected = [(p["severity"], p["sheet"], p["row"], p["column"], p["message"])
                    for p in problems if p["file"] == original]
        listed = [(r["Severity"], r["Sheet"], r["Row"], r["Column"], r["Problem and fix"])
                  for r in problems_listed(book)]
        assert sorted(listed, key=str) == sorted(expected, key=str), name
        assert expected  # every 2009 sample has at least one deliberate flaw


def test_error_cell_is_red_with_the_message_as_note(inputs: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    original = inputs / "2009" / "BR_2009.xlsx"
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    _, problems = run(inputs, tmp_path / "fb", 2009, capsys)
    (target,) = [p for p in problems if p["file"] == "BR_2009.xlsx" and "Target is 'n/a'" in p["message"]]
    assert target["severity"] == "error" and target["cell"]
    book = openpyxl.load_workbook(tmp_path / "fb" / "BR_2009-feedback.xlsx")
    cell = book[target["sheet"]][target["cell"]]
    assert cell.value == "n/a"  # the Bureau's value is kept, only marked
    assert fill_of(cell) == ERROR_FILL
    assert target["message"] in cell.comment.text
    # Neighbours without a problem are left as they were.
    below = book[target["sheet"]].cell(row=target["row"] + 1, column=cell.column)
    assert fill_of(below) is None and below.comment is None
    assert book[target["sheet"]].sheet_properties.tabColor is not None
    # The Problems sheet says where, and links there.
    (row,) = [r for r in problems_listed(book) if r["Problem and fix"] == target["message"]]
    assert row["Cell"] == target["cell"]
    # The Bureau's own file is never touched.
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before


def test_warning_cell_is_amber(inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _, problems = run(inputs, tmp_path / "fb", 2009, capsys)
    (notes,) = [p for p in problems if p["file"] == "GS_2009.xlsx" and p["severity"] == "warning"]
    cell = openpyxl.load_workbook(tmp_path / "fb" / "GS_2009-feedback.xlsx")[notes["sheet"]][notes["cell"]]
    assert fill_of(cell) == WARNING_FILL and notes["message"] in cell.comment.text


def test_problem_without_cell_marks_its_column_or_row(inputs: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    _, problems = run(inputs, tmp_path / "fb", 2009, capsys)
    duplicates = [p for p in problems if p["file"] == "TSB_2009.xlsx" and "appears 2 times" in p["message"]]
    assert len(duplicates) == 2 and all(p["cell"] is None for p in duplicates)
    letter = column_of(inputs / "2009" / "TSB_2009.xlsx", "KPIs", duplicates[0]["column"])
    kpis = openpyxl.load_workbook(tmp_path / "fb" / "TSB_2009-feedback.xlsx")["KPIs"]
    for problem in duplicates:
        cell = kpis[f"{letter}{problem['row']}"]
        assert fill_of(cell) == ERROR_FILL and problem["message"] in cell.comment.text


def test_clean_workbook_says_so(inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, problems = run(inputs, tmp_path / "fb", 2008, capsys)
    assert code == 0 and problems == []
    book = openpyxl.load_workbook(tmp_path / "fb" / "BR_2008-feedback.xlsx")
    assert problems_listed(book) == []
    assert "No problems found" in book["Problems"]["A2"].value
    original = openpyxl.load_workbook(inputs / "2008" / "BR_2008.xlsx")
    for sheet in original.worksheets:
        assert [list(r) for r in sheet.iter_rows(values_only=True)] == \
            [list(r) for r in book[sheet.title].iter_rows(values_only=True)]


def test_unreadable_files_get_a_problems_only_workbook(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "2009" / "late").mkdir(parents=True)
    (inputs / "2009" / "BR_2009.xlsx").write_bytes(b"this is not a workbook at all")
    (inputs / "2009" / "late" / "GS_notes.txt").write_text("see the attached figures")
    shutil.copy(INPUTS / "2009" / "TSB_2009.xlsx", inputs / "2009" / "late" / "TSB_2009.xlsx")
    feedback = tmp_path / "fb"
    code, problems = run(inputs, feedback, 2009, capsys)
    assert code == 1
    broken = openpyxl.load_workbook(feedback / "BR_2009-feedback.xlsx")
    assert broken.sheetnames == ["Problems"]
    (row,) = problems_listed(broken)
    (problem,) = [p for p in problems if p["file"] == "BR_2009.xlsx"]
    assert row["Severity"] == "error" and row["Problem and fix"] == problem["message"]
    notes = openpyxl.load_workbook(feedback / "late" / "GS_notes.txt-feedback.xlsx")
    assert [r["Severity"] for r in problems_listed(notes)] == ["warning"]
    # A workbook in a subfolder keeps its place.
    assert (feedback / "late" / "TSB_2009-feedback.xlsx").is_file()


def test_bureau_wide_problems_reach_the_bureau(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    inputs = tmp_path / "inputs"
    (inputs / "2009").mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.title = "KPIs"
    book.active.append(["Output", "KPI", "Target", "Actual"])
    book.active.append(["R-01", "Delegates", 100, 90])
    book.save(inputs / "2009" / "BR_2009.xlsx")
    _, problems = run(inputs, tmp_path / "fb", 2009, capsys)
    listed = problems_listed(openpyxl.load_workbook(tmp_path / "fb" / "BR_2009-feedback.xlsx"))
    messages = {r["Problem and fix"] for r in listed}
    coverage = {p["message"] for p in problems if p["file"] is None and " BR return" in p["message"]}
    assert len(coverage) == 11  # R-02 ... R-12 have no KPI
    assert coverage <= messages
    assert not any("no return received" in m for m in messages)  # other bureaux' business


def test_feedback_folder_inside_the_inputs_is_refused(inputs: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["validate", "--year", "2009", "--inputs", str(inputs),
                 "--feedback", str(inputs / "2009" / "feedback")])
    assert code == 2
    assert "would be read as returns" in capsys.readouterr().err
    assert not (inputs / "2009" / "feedback").exists()


def test_feedback_names() -> None:
    assert feedback_name("BR_2009.xlsx") == "BR_2009-feedback.xlsx"
    assert feedback_name("sub/BDT-returns.xlsm") == "sub/BDT-returns-feedback.xlsx"
    assert feedback_name("GS.xls") == "GS.xls-feedback.xlsx"


def test_corrected_feedback_copy_can_be_sent_back(inputs: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    """A Bureau may correct the feedback copy itself and put it back instead of its file."""
    _, problems = run(inputs, tmp_path / "fb", 2009, capsys)
    own = [p for p in problems if p["file"] == "BR_2009.xlsx"]
    copy = tmp_path / "fb" / "BR_2009-feedback.xlsx"
    book = openpyxl.load_workbook(copy)
    for problem in own:  # the two deliberate flaws: a target 'n/a' and an unknown output
        cell = book[problem["sheet"]][problem["cell"]]
        cell.value = 120 if problem["column"] == "Target" else "R-10"
    book.save(copy)
    (inputs / "2009" / "BR_2009.xlsx").unlink()
    shutil.copy(copy, inputs / "2009" / "BR_2009.xlsx")
    _, after = run(inputs, tmp_path / "fb2", 2009, capsys)
    assert [p for p in after if p["file"] == "BR_2009.xlsx"] == []
