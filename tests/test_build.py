"""End to end: the 2009 sample build through the command line, its HTML, PDF (read back with
pypdf) and JSON agreeing on the figures, and the command line's exit codes and messages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportgen.cli import main

ROOT = Path(__file__).resolve().parents[1]


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def squash(text: str) -> str:
    return " ".join(text.split())


def test_json_follows_the_contract(built):
    report = built["json"]
    assert report["year"] == 2009
    for key in ("kpis", "finance", "objectives", "goals", "recommendations", "problems"):
        assert isinstance(report[key], list) and report[key], key
    kpi = report["kpis"][0]
    assert set(kpi) >= {"bureau", "sector", "output", "kpi", "unit", "baseline", "target", "actual",
                        "direction", "achievement", "status", "objectives", "goals", "comment", "source"}
    assert set(kpi["source"]) == {"file", "sheet", "row"}
    assert len(report["objectives"]) == 24 and len(report["goals"]) == 7
    assert {p["severity"] for p in report["problems"]} == {"error", "warning"}
    for rec in report["recommendations"]:
        assert rec["evidence"] and all(set(e) == {"file", "sheet", "row"} for e in rec["evidence"])
    # Contract 8.4: one recommendation per subject, by priority, each with its findings and a change.
    ids = [r["id"] for r in report["recommendations"]]
    assert len(ids) == len(set(ids)) and all(i.startswith("2009-") for i in ids)
    assert [r["priority"] for r in report["recommendations"]] == list(range(1, len(ids) + 1))
    findings = {f["rule"] for r in report["recommendations"] for f in r["findings"]}
    assert findings >= {"objective-review", "overspend", "underspend", "persistent-shortfall", "proposal"}
    for rec in report["recommendations"]:
        assert rec["rule"] in {f["rule"] for f in rec["findings"]}
        assert rec["proposed_change"]["kind"] in {"target", "resources", "output", "none"}
        assert rec["proposed_change"]["text"]
    # Missing data goes to the Bureaux, not among the changes to the plan.
    assert report["data_requests"] and "missing-data" not in findings
    assert 3 <= len(report["decisions"]) <= 5
    for decision in report["decisions"]:
        assert decision["text"].startswith("The Council is invited to")
        assert set(decision["recommendations"]) <= set(ids)


def test_json_figures_recompute_from_its_own_rows(built):
    report = built["json"]
    for k in report["kpis"]:
        if k["actual"] is None:
            assert k["status"] == "not reported" and k["achievement"] is None
            continue
        t, a, b = k["target"], k["actual"], k["baseline"]
        if k["direction"] == "higher":
            num, den = (a - b, t - b) if b is not None else (a, t)
        else:
            num, den = (b - a, b - t) if b is not None else (t, a)
        assert k["achievement"] == pytest.approx(num / den)
    for f in report["finance"]:
        assert f["execution"] == pytest.approx(f["expenditure"] / f["budget"])
    total_budget = sum(f["budget"] for f in report["finance"])
    assert sum(o["budget"] for o in report["objectives"]) == pytest.approx(total_budget)


def test_html_pdf_and_json_agree_on_the_figures(built):
    report, text, pdf_text = built["json"], html_text(built["html"]), squash(built["pdf_text"])
    counts = {s: sum(k["status"] == s for k in report["kpis"]) for s in
              ("achieved", "partially achieved", "not achieved", "not reported")}
    line = f"Status of the {len(report['kpis'])} KPIs in the 2009 returns"
    assert line in text and line in pdf_text
    for status, n in counts.items():
        assert re.search(rf"{status} {n}\b", text), status
        assert re.search(rf"{status} {n}\b", pdf_text), status
    total = f"{round(sum(f['budget'] for f in report['finance'])):,}"
    assert f"Total {total}" in text and f"Total {total}" in pdf_text
    for k in report["kpis"]:
        assert squash(k["kpi"]) in text
    sample = [k for k in report["kpis"] if len(k["kpi"]) < 40][:15]
    for k in sample:
        assert squash(k["kpi"]) in pdf_text, k["kpi"]
    for p in report["problems"]:
        assert p["message"][:40] in text


def test_report_is_organised_as_the_plan(built):
    text = html_text(built["html"])
    for heading in ("Radiocommunication Sector (ITU-R)", "Telecommunication Standardization Sector (ITU-T)",
                    "Telecommunication Development Sector (ITU-D)", "General Secretariat",
                    "Results by goal of the Union", "Recommendations to adjust the plan",
                    "Annex Data quality", "Data status: illustrative", "Action required", "C10/35-E", "Agenda item", "Draft decisions"):
        assert heading in text
    assert text.count("★") >= 21  # every high-priority output marked
    assert "To produce Recommendations on radiocommunication services" in text


def test_workbook_text_is_escaped(tmp_path):
    """Markup typed in a return is shown as typed, never interpreted, in the HTML and the PDF."""
    from tests.workbooks import about, write_workbook

    hostile = '<b>not bold</b> & "quotes"'
    write_workbook(tmp_path / "in" / "2009" / "BR_2009.xlsx", {
        "About": about("BR", 2009),
        "KPIs": [["Output", "KPI", "Target", "Actual", "Comment"], ["R-06", "Average time to publish", 45, 40, hostile]]})
    assert main(["build", "--year", "2009", "--inputs", str(tmp_path / "in"), "--outputs", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "2009" / "report-2009.html").read_text(encoding="utf-8")
    assert "<b>not bold</b>" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; &#34;quotes&#34;" in html or "&lt;b&gt;not bold&lt;/b&gt;" in html
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "out" / "2009" / "report-2009.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert hostile in squash(pdf_text)


def test_html_is_self_contained(built):
    html = built["html"]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)
    assert "@import" not in html and "<link" not in html and "<script" not in html


def test_pdf_has_page_numbers_and_metadata(built):
    reader = built["pdf"]
    pages = len(reader.pages)
    assert pages > 10
    assert f"Page 3 of {pages}" in reader.pages[2].extract_text()
    assert "Progress report" in (reader.metadata.title or "")


def test_manifest_lists_inputs_and_outputs(built):
    manifest = json.loads((built["folder"] / "manifest.json").read_text())
    assert {i["path"] for i in manifest["inputs"]} == {"BR_2009.xlsx", "TSB_2009.xlsx", "BDT_2009.xlsx", "GS_2009.xlsx"}
    assert {o["path"] for o in manifest["outputs"]} == {"report-2009.html", "report-2009.pdf", "report-2009.json",
                                                       "data-2009.xlsx"}
    leftovers = [p.name for p in built["folder"].iterdir() if p.name.endswith(".part")]
    assert not leftovers


def test_missing_folder_exits_2_with_one_line(tmp_path, capsys):
    assert main(["build", "--year", "2031", "--inputs", str(tmp_path), "--outputs", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2031" in err and "Traceback" not in err


def test_no_readable_workbook_exits_2(tmp_path, capsys):
    (tmp_path / "2009").mkdir()
    (tmp_path / "2009" / "BR.xlsx").write_text("not a workbook")
    assert main(["build", "--year", "2009", "--inputs", str(tmp_path), "--outputs", str(tmp_path / "o")]) == 2
    assert "no readable workbook" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_validate_and_strict(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs" / "2009", inputs / "2009")
    assert main(["validate", "--year", "2009", "--inputs", str(inputs)]) == 1
    out = capsys.readouterr().out
    assert "BR_2009.xlsx:KPIs:17:Target: error: Target is 'n/a'" in out
    assert main(["validate", "--year", "2009", "--inputs", str(inputs), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any(p["row"] == 17 and p["column"] == "Target" for p in problems)
    outputs = tmp_path / "out"
    assert main(["build", "--year", "2009", "--inputs", str(inputs), "--outputs", str(outputs), "--strict", "--no-pdf"]) == 1
    assert not (outputs / "2009" / "report-2009.html").exists()
