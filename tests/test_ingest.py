"""Ingest: finding the returns, reading sheets into tables with Excel's row numbers, and the
problems only a workbook's XML shows (formulas without a computed value, Excel error values,
merged cells), each at its cell with its column's header."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from fixtures.xlsx_parts import patch, read_parts, set_cell_xml, sheet_member
from reportgen.pipeline import ingest
from reportgen.bureau import xlsxscan
from reportgen.pipeline.build import read_year
from reportgen.pipeline.ingest import Limits
from reportgen.plan.loader import load_plan
from workbooks import KPI_HEADER, about, write_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "inputs").glob("*/*.xlsx"))


def read(path: Path):
    workbook, problems = ingest.read_workbook(path, path.name, Limits())
    assert workbook is not None, problems
    return workbook, problems


def kpi_row(output: str = "R-01", kpi: str = "Delegates", target: object = 120, actual: object = 130) -> list:
    return [output, kpi, "number", 100, target, actual, "higher", None]


# -- finding files ---------------------------------------------------------------------------

def test_lock_and_hidden_files_are_skipped_silently_others_warned(tmp_path: Path) -> None:
    year_dir = tmp_path / "2009"
    write_workbook(year_dir / "BR_2009.xlsx", {"KPIs": [KPI_HEADER]})
    write_workbook(year_dir / "sub" / "deeper" / "TSB_2009.XLSX", {"KPIs": [KPI_HEADER]})
    (year_dir / "~$BR_2009.xlsx").write_bytes(b"lock")
    (year_dir / ".BR_hidden.xlsx").write_bytes(b"hidden")
    (year_dir / ".git").mkdir()
    (year_dir / ".git" / "GS.xlsx").write_bytes(b"inside a hidden folder")
    (year_dir / "sub" / "~$TSB_2009.xlsx").write_bytes(b"lock in a subfolder")
    (year_dir / "notes.txt").write_text("read me")
    (year_dir / "BDT_2009.csv").write_text("Output,KPI\n")
    (year_dir / "GS_2009.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    paths, problems = ingest.find_workbooks(year_dir)
    assert [p.relative_to(year_dir).as_posix() for p in paths] == ["BR_2009.xlsx", "sub/deeper/TSB_2009.XLSX"]
    assert sorted((p.file, p.severity) for p in problems) == [
        ("BDT_2009.csv", "warning"), ("GS_2009.xls", "error"), ("notes.txt", "warning")]
    assert "save it as .xlsx" in next(p.message for p in problems if p.file == "GS_2009.xls")


# -- tables ----------------------------------------------------------------------------------

def test_the_header_is_the_first_row_with_two_cells_below_title_rows(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": [
        ["Radiocommunication Bureau: KPI return 2009"],
        [],
        ["Prepared for the Council", None],
        KPI_HEADER,
        kpi_row(),
        [],
        kpi_row("R-02", "Seminars"),
    ]})
    table = read(path)[0].tables["kpis"]
    assert table.header_row == 4
    assert [c.header for c in table.columns] == KPI_HEADER
    assert [(row, record["kpi"]) for row, record in table.rows] == [(5, "Delegates"), (7, "Seminars")]
    assert [row for row, _ in table.raw_rows] == [1, 3, 4, 5, 7]  # empty rows skipped, numbers kept


def test_leading_empty_rows_and_columns_keep_excel_positions(tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "KPIs"
    for offset, value in enumerate(KPI_HEADER):
        sheet.cell(row=6, column=3 + offset, value=value)  # header in C6
    for offset, value in enumerate(kpi_row()):
        sheet.cell(row=9, column=3 + offset, value=value)
    workbook.save(path)
    table = read(path)[0].tables["kpis"]
    assert table.header_row == 6
    assert [(c.index, c.letter, c.header) for c in table.columns][:2] == [(2, "C", "Output"), (3, "D", "KPI")]
    assert [(row, record["output"], record["target"]) for row, record in table.rows] == [(9, "R-01", 120)]


def test_sheet_and_header_names_ignore_case_spaces_underscores_and_hyphens(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {
        " k-p-i_S ": [[" OUTPUT ", "kpi", "Base_line", "TARGET", "ac-tu-al"], ["R-01", "Delegates", 1, 2, 3]],
        "PROPOSALS": [["source", "Refers_To", "pro posal"], ["RAG", "R1", "Do more"]],
    })
    workbook = read(path)[0]
    assert set(workbook.tables) == {"kpis", "proposals"}
    assert workbook.tables["kpis"].sheet == " k-p-i_S "
    assert [c.key for c in workbook.tables["kpis"].columns] == ["output", "kpi", "baseline", "target", "actual"]
    assert [c.header for c in workbook.tables["kpis"].columns][0] == "OUTPUT"  # as written, trimmed
    assert workbook.tables["proposals"].rows[0][1] == {"source": "RAG", "refersto": "R1", "proposal": "Do more"}


def test_values_are_kept_as_written_na_text_is_text(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": [
        KPI_HEADER,
        ["R-01", "n/a text", "n/a", "NA", "N/A", "-", "null", " 42 "],
        ["R-02", "numbers", None, 1250.0, 7, 0.25, "1,250", "85%"],
        ["R-03", "dates", None, datetime.date(2009, 3, 1), datetime.datetime(2009, 3, 1, 14, 30), None, "  ", None],
    ]})
    rows = {record["kpi"]: record for _, record in read(path)[0].tables["kpis"].rows}
    assert [rows["n/a text"][k] for k in ("unit", "baseline", "target", "actual", "direction", "comment")] == \
        ["n/a", "NA", "N/A", "-", "null", " 42 "]
    numbers = rows["numbers"]
    assert (numbers["baseline"], numbers["target"], numbers["actual"]) == (1250, 7, 0.25)
    assert type(numbers["baseline"]) is int and type(numbers["actual"]) is float
    assert (numbers["direction"], numbers["comment"]) == ("1,250", "85%")
    assert rows["dates"]["baseline"] == "2009-03-01"
    assert rows["dates"]["target"] == "2009-03-01 14:30:00"
    assert rows["dates"]["direction"] is None  # only spaces: empty


def test_reading_returns_does_not_import_pandas() -> None:
    """Reading goes straight to calamine: a build does not pay pandas' 0.3 s import."""
    code = ("import sys; from pathlib import Path; from reportgen.pipeline import ingest; "
            f"w, p = ingest.read_workbook(Path({str(SAMPLES[0])!r}), 'x.xlsx', ingest.Limits()); "
            "assert w is not None and w.tables['kpis'].rows; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_error_code_typed_in_a_cell_is_an_excel_error(tmp_path: Path) -> None:
    """Excel (and openpyxl) store '#N/A' typed in a cell as the error value, not as text."""
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": [KPI_HEADER, kpi_row(actual="#N/A")]})
    workbook, problems = read(path)
    assert [(p.severity, p.row, p.column, p.cell) for p in problems] == [("error", 2, "Actual", "F2")]
    assert workbook.tables["kpis"].rows == ()


def test_values_in_a_column_without_header_are_kept_as_stray(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": [
        KPI_HEADER,
        kpi_row() + [None, "note"],
        [None] * 9 + ["only a stray value"],
    ]})
    table = read(path)[0].tables["kpis"]
    assert table.stray == ((2, 9, "note"), (3, 9, "only a stray value"))
    assert [row for row, _ in table.rows] == [2]
    assert [row for row, _ in table.raw_rows] == [1, 2, 3]


def test_chart_sheets_are_skipped_and_hidden_sheets_read(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    path = tmp_path / "BR_2009.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "KPIs"
    sheet.append(KPI_HEADER)
    sheet.append(kpi_row())
    hidden = workbook.create_sheet("Finance")
    hidden.append(["Output", "Budget", "Expenditure"])
    hidden.sheet_state = "hidden"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=5, min_row=2, max_row=2))
    workbook.create_chartsheet("Chart").add_chart(chart)
    workbook.save(path)
    workbook_read = read(path)[0]
    assert workbook_read.sheet_names == ("KPIs", "Finance")
    assert workbook_read.tables["finance"].header_row == 1


# -- what only the XML shows -----------------------------------------------------------------

def formula_workbook(tmp_path: Path) -> Path:
    """openpyxl writes formulas without a computed value, as any program that does not
    compute them does: <c r="F3"><f>E3*2</f><v/></c>."""
    return write_workbook(tmp_path / "BR_2009.xlsx", {
        "About": about("BR", 2009),
        "KPIs": [
            ["KPI return", "=\"BR \"&2009"],  # a title row with a formula
            KPI_HEADER,
            kpi_row(),
            kpi_row("R-02", "Seminars", 10, "=E4*2"),  # F4: Actual has no value
            kpi_row("R-03", "Reports", 5, 4) + [None, "=1+1"],  # J5: a column without header
        ],
        "Notes": [["a", "=1+1"]],  # a sheet the report does not read
    })


def test_a_formula_without_computed_value_is_an_error_at_its_cell(tmp_path: Path) -> None:
    workbook, problems = read(formula_workbook(tmp_path))
    by_cell = {p.cell: p for p in problems}
    assert set(by_cell) == {"B1", "F4", "J5"}
    actual = by_cell["F4"]
    assert (actual.severity, actual.file, actual.sheet, actual.row, actual.column) == \
        ("error", "BR_2009.xlsx", "KPIs", 4, "Actual")
    assert "(=E4*2)" in actual.message
    assert "saved by a program that does not compute formulas: open it in Excel and save again" in actual.message
    assert "the row was not used" in actual.message
    # the row is out of the figures; the others are not
    assert [row for row, _ in workbook.tables["kpis"].rows] == [3, 5]
    assert 4 in dict(workbook.tables["kpis"].raw_rows)
    title, stray = by_cell["B1"], by_cell["J5"]
    assert (title.severity, title.column) == ("warning", "B")
    assert (stray.severity, stray.column) == ("warning", "J")
    assert "without a header" in stray.message


def test_the_row_with_an_uncomputed_formula_gets_no_misleading_error(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    formula_workbook(inputs / "2009")
    data, _ = read_year(2009, inputs, load_plan(None), Limits())
    at_row_4 = [p for p in data.problems if p.file == "BR_2009.xlsx" and p.sheet == "KPIs" and p.row == 4]
    assert [(p.severity, p.cell) for p in at_row_4] == [("error", "F4")]
    assert sorted(k.kpi for k in data.kpis) == ["Delegates", "Reports"]


def test_a_formula_with_its_value_and_an_empty_text_result_are_fine(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path)
    set_cell_xml(path, "KPIs", "F4", b'<c r="F4"><f>E4*2</f><v>20</v></c>')
    set_cell_xml(path, "KPIs", "J5", b'<c r="J5" t="str"><f>IF(1,"","x")</f><v></v></c>')
    set_cell_xml(path, "KPIs", "B1", b'<c r="B1" t="str"><f>IF(0,"BR","")</f><v></v></c>')
    workbook, problems = read(path)
    assert problems == []
    assert dict(workbook.tables["kpis"].rows)[4]["actual"] == 20


def test_shared_formulas_without_values_are_found_and_formula_elements_elsewhere_ignored(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path)
    set_cell_xml(path, "KPIs", "F4", b'<c r="F4" s="0"><f t="shared" si="0"/></c>')
    patch(path, sheet_member(path, "KPIs"), lambda xml: xml.replace(
        b"</worksheet>",
        b'<conditionalFormatting sqref="F3:F5"><cfRule type="expression" priority="1">'
        b"<formula>F3&gt;0</formula></cfRule></conditionalFormatting></worksheet>"))
    problems = read(path)[1]
    assert sorted(p.cell for p in problems) == ["B1", "F4", "J5"]
    assert "(=" not in next(p.message for p in problems if p.cell == "F4")  # no text to show


@pytest.mark.parametrize("code", ["#DIV/0!", "#N/A", "#REF!"])
def test_an_excel_error_value_is_an_error_not_an_empty_cell(tmp_path: Path, code: str) -> None:
    """calamine reads an error cell as empty: the KPI would show as 'not reported'."""
    path = formula_workbook(tmp_path)
    set_cell_xml(path, "KPIs", "F4", b'<c r="F4" t="e"><f>E4/0</f><v>' + code.encode() + b"</v></c>")
    workbook, problems = read(path)
    problem = next(p for p in problems if p.cell == "F4")
    assert (problem.severity, problem.row, problem.column) == ("error", 4, "Actual")
    assert f"the Excel error {code}" in problem.message and "the row was not used" in problem.message
    assert 4 not in dict(workbook.tables["kpis"].rows)


def test_merged_cells_in_the_data_are_warned_with_their_range(tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "KPIs"
    sheet.append(["Radiocommunication Bureau"])
    sheet.merge_cells("A1:H1")  # a title: fine
    sheet.append(KPI_HEADER)
    sheet.append(kpi_row("R-01", "Delegates"))
    sheet.append(kpi_row(None, "Seminars"))  # A3:A4 merged: Output shows on both rows
    sheet.merge_cells("A3:A4")
    sheet.append(kpi_row("R-02", "Reports", 10, None))
    sheet.merge_cells("E5:F5")  # Target spread over Actual
    sheet.merge_cells("J3:K4")  # empty: nothing to misread
    about = workbook.create_sheet("About")
    about.append(["Prepared by", "A very long name"])
    about.merge_cells("B1:D1")  # the About sheet is key and value: fine
    workbook.save(path)
    problems = read(path)[1]
    assert sorted((p.severity, p.sheet, p.row, p.column, p.cell) for p in problems) == [
        ("warning", "KPIs", 3, "Output", "A3:A4"), ("warning", "KPIs", 5, "Target", "E5:F5")]
    message = next(p.message for p in problems if p.cell == "A3:A4")
    assert "unmerge the cells" in message and "only A3 holds the value" in message


def test_sheets_the_report_does_not_read_raise_no_cell_problems(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": [KPI_HEADER, kpi_row()],
                                                      "Workings": [["x", "y"], ["=1+1", "=A2"]]})
    assert read(path)[1] == []


def test_sheet_names_with_markup_characters_are_matched_to_their_part(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"R&D <KPIs>": [["a", "b"]], "KPIs": [KPI_HEADER, kpi_row()]})
    assert b"R&amp;D &lt;KPIs&gt;" in read_parts(path)["xl/workbook.xml"]
    scan = xlsxscan.scan_workbook(path)
    assert set(scan.sheets) == {"R&D <KPIs>", "KPIs"}


def test_a_prefixed_namespace_is_scanned_cell_by_cell(tmp_path: Path) -> None:
    import re

    path = formula_workbook(tmp_path)
    member = sheet_member(path, "KPIs")

    def prefix(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
        return re.sub(rb"<(/?)(sheetData|row|c|is|t|v|f|sheetPr|outlinePr|pageSetUpPr|dimension|sheetViews|"
                      rb"sheetView|selection|sheetFormatPr|pageMargins)\b", rb"<\1x:\2", xml)

    patch(path, member, prefix)
    assert b"<x:c r=" in read_parts(path)[member]
    scan = xlsxscan.scan_workbook(path)
    assert "KPIs" in scan.exact_sheets
    workbook, problems = read(path)
    assert sorted(p.cell for p in problems) == ["B1", "F4", "J5"]


# -- the quick pass and the exact pass agree ----------------------------------------------------

def comparable(scan: xlsxscan.Scan) -> dict:
    return {name: (sheet.cells, sheet.merges) for name, sheet in scan.sheets.items()}


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_the_samples_pass_the_quick_scan_with_nothing_found(path: Path) -> None:
    scan = xlsxscan.scan_workbook(path)
    assert scan.exact_sheets == ()
    assert all(not s.cells and not s.merges for s in scan.sheets.values())
    assert all(s.rows * s.columns <= Limits().max_sheet_cells for s in scan.sheets.values())
    assert read(path)[1] == []


def test_quick_and_exact_passes_find_the_same_cells(tmp_path: Path) -> None:
    path = formula_workbook(tmp_path)
    set_cell_xml(path, "KPIs", "E5", b'<c r="E5" t="e"><v>#VALUE!</v></c>')
    set_cell_xml(path, "KPIs", "E3", b'<c r="E3"><f>100+20</f><v>120</v></c>')
    patch(path, sheet_member(path, "KPIs"), lambda xml: xml.replace(
        b"</sheetData>", b"</sheetData><mergeCells><mergeCell ref=\"A4:B5\"/></mergeCells>"))
    quick = xlsxscan.scan_workbook(path)
    exact = xlsxscan.scan_workbook(path, force_exact=True)
    assert quick.exact_sheets == () and set(exact.exact_sheets) == set(exact.sheets)
    assert comparable(quick) == comparable(exact)
    kinds = sorted((i.kind, i.ref) for i in quick.sheets["KPIs"].cells)
    assert kinds == [("error-value", "E5"), ("uncached-formula", "B1"), ("uncached-formula", "F4"),
                     ("uncached-formula", "J5")]
    for name, sheet in exact.sheets.items():  # exact extents lie within the quick bounds
        assert sheet.rows <= quick.sheets[name].rows and sheet.columns <= quick.sheets[name].columns


def test_a_big_sheet_is_scanned_in_segments_with_the_same_findings(tmp_path: Path) -> None:
    """3,000 rows in several 1 MB pieces: cells on both sides of every cut are seen."""
    rows = [KPI_HEADER] + [kpi_row("R-01", f"KPI {i} " + "x" * 600, 10, f"=E{i + 2}*2" if i % 500 == 7 else 5)
                           for i in range(3000)]
    path = write_workbook(tmp_path / "BR_2009.xlsx", {"KPIs": rows})
    assert len(read_parts(path)[sheet_member(path, "KPIs")]) > 5 << 19
    quick = xlsxscan.scan_workbook(path)
    assert [i.ref for i in quick.sheets["KPIs"].cells] == [f"F{i + 2}" for i in range(3000) if i % 500 == 7]
    assert comparable(quick) == comparable(xlsxscan.scan_workbook(path, force_exact=True))
