"""The General Secretariat's Financial situation sheet (issue "Recommendations the Council can
decide on"): checked like any sheet, shown in chapter 7, and the limit on what reallocations move."""

from __future__ import annotations

import json

from reportgen.cli import main
from tests.workbooks import about, write_workbook

KPIS = [["Output", "KPI", "Target", "Actual"], ["INT-02", "Council documents on time", 90, 80]]


def gs_return(path, financial, bureau="GS"):
    write_workbook(path, {"About": about(bureau, 2009), "KPIs": KPIS if bureau == "GS" else
                          [["Output", "KPI", "Target", "Actual"], ["R-05", "Contributions", 10, 9]],
                          "Financial situation": financial})


def build(tmp_path):
    outputs = tmp_path / "out"
    code = main(["build", "--year", "2009", "--inputs", str(tmp_path / "in"), "--outputs", str(outputs), "--no-pdf"])
    assert code == 0
    return json.loads((outputs / "2009" / "report-2009.json").read_text()), (outputs / "2009" / "report-2009.html").read_text()


def test_the_financial_situation_is_read_shown_and_its_mistakes_named_at_their_cells(tmp_path):
    gs_return(tmp_path / "in" / "2009" / "GS_2009.xlsx", [
        ["Item", "Amount"],
        ["Assessed contributions billed", 100000],
        ["Assessed contributions received", 95000],
        ["Arrears", "n/a"],  # not a number: error at B4
        ["Reserve account balance", 20000],  # matched whatever the case
        ["Reserve Account balance", 21000],  # twice: error, the first is kept
        ["Lottery income", 5],  # not an item: error at A7
    ])
    report, html = build(tmp_path)
    lines = {line["item"]: line["amount"] for line in report["financial_situation"]}
    assert lines == {"Assessed contributions billed": 100000, "Assessed contributions received": 95000,
                     "Reserve Account balance": 20000}
    problems = {(p["sheet"], p["row"], p["column"]): p["message"] for p in report["problems"]
                if p["sheet"] == "Financial situation"}
    assert "enter a number" in problems[("Financial situation", 4, "Amount")]
    assert "given twice" in problems[("Financial situation", 6, "Item")]
    assert "choose one of" in problems[("Financial situation", 7, "Item")]
    assert "Financial situation of the Union" in html and "95,000" in html
    assert "that share was 95%" in html


def test_only_the_general_secretariat_reports_the_financial_situation(tmp_path):
    gs_return(tmp_path / "in" / "2009" / "BR_2009.xlsx", [["Item", "Amount"], ["Arrears", 5]], bureau="BR")
    report, _ = build(tmp_path)
    assert report["financial_situation"] == []
    assert any(p["sheet"] == "Financial situation" and "only the General Secretariat" in p["message"]
               for p in report["problems"])


def test_the_template_offers_the_sheet_to_the_general_secretariat_only(tmp_path):
    import openpyxl

    for bureau in ("GS", "BR"):
        out = tmp_path / f"{bureau}.xlsx"
        assert main(["template", "--year", "2010", "--bureau", bureau, "--out", str(out), "--inputs",
                     str(tmp_path / "none")]) == 0
        names = openpyxl.load_workbook(out).sheetnames
        assert ("Financial situation" in names) == (bureau == "GS")
