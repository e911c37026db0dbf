"""The PDF read as a reader and an archive would: contents page numbers that point at the
right pages, bookmarks, tags, language and title, attachments, and byte-identical rebuilds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.cli import main

ROOT = Path(__file__).resolve().parents[1]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_contents_page_numbers_point_at_their_chapters(built):
    pages = [squash(p) for p in built["pages"]]
    contents = next(i for i, p in enumerate(pages) if p.startswith("Contents") or " Contents " in p[:200])
    entries = re.findall(r"(\d+|Annex) ([A-Z][^.]*?) \.{3,}\s*(\d+)", pages[contents].replace("…", "..."))
    if not entries:  # leaders may be extracted as spaces: fall back to "title ... number" pairs
        entries = re.findall(r"(\d+|Annex) ([A-Z][A-Za-z ()\-]+?)[ .]+(\d+)(?= |$)", pages[contents])
    assert len(entries) >= 8, pages[contents]
    for number, title, page in entries:
        heading = f"{number} {title.strip()}"
        target = pages[int(page) - 1]
        assert heading.split(" (")[0][:30] in target, f"'{heading}' is not on page {page}"


def test_bookmarks_cover_every_chapter_and_section(built):
    reader: PdfReader = built["pdf"]

    def titles(outline, depth=0):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, squash(item.title)

    marks = list(titles(reader.outline))
    top = [t for d, t in marks if d == 0]
    for chapter in ("1 Summary of results", "2 Radiocommunication Sector (ITU-R)", "Annex Data quality",
                    "6 Results by goal of the Union", "7 Recommendations to adjust the plan"):
        assert chapter in top, top
    assert "2.2 Objectives" in [t for d, t in marks if d == 1]
    assert any(t.startswith("R-01") for d, t in marks if d == 2)
    # Each bookmark leads to the page where its heading stands.
    for item in reader.outline[:6]:
        if not isinstance(item, list):
            page = reader.get_destination_page_number(item)
            assert squash(item.title)[:25] in squash(built["pages"][page])


def test_pdf_is_tagged_with_language_and_title(built):
    reader: PdfReader = built["pdf"]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title.startswith("Progress report on the Strategic plan")


def test_page_count_and_running_headers(built):
    pages = built["pages"]
    assert 20 <= len(pages) <= 80
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Recommendations to adjust the plan" in pages[-3] + pages[-2]


def test_attachments_and_pdf_a_3b(tmp_path):
    assert main(["build", "--year", "2009", "--inputs", str(ROOT / "inputs"), "--outputs", str(tmp_path),
                 "--pdf-variant", "pdf/a-3b"]) == 0
    folder = tmp_path / "2009"
    reader = PdfReader(folder / "report-2009.pdf")
    attached = reader.attachments
    assert attached["report-2009.json"][0] == (folder / "report-2009.json").read_bytes()
    assert attached["data-2009.xlsx"][0] == (folder / "data-2009.xlsx").read_bytes()
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    files = root["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = [files[i + 1].get_object() for i in range(0, len(files), 2)]
    assert all(spec["/AFRelationship"] == "/Supplement" for spec in specs)

    again = tmp_path / "again"
    assert main(["build", "--year", "2009", "--inputs", str(ROOT / "inputs"), "--outputs", str(again),
                 "--pdf-variant", "pdf/a-3b"]) == 0
    for name in ("report-2009.pdf", "report-2009.html", "report-2009.json", "data-2009.xlsx", "manifest.json"):
        assert (again / "2009" / name).read_bytes() == (folder / name).read_bytes(), name


def test_data_workbook_holds_every_figure(built):
    import openpyxl

    workbook = openpyxl.load_workbook(built["folder"] / "data-2009.xlsx", read_only=True)
    assert workbook.sheetnames == ["KPIs", "Finance", "Objectives", "Goals", "Recommendations", "Decisions",
                                   "Data requests", "Problems"]
    kpis = list(workbook["KPIs"].iter_rows(values_only=True))
    assert len(kpis) - 1 == len(built["json"]["kpis"])
    header = kpis[0]
    first = dict(zip(header, kpis[1]))
    expected = built["json"]["kpis"][0]
    assert (first["kpi"], first["actual"], first["status"], first["row"]) == (
        expected["kpi"], expected["actual"], expected["status"], expected["source"]["row"])


def test_the_pdf_stylesheet_has_the_colours_written_in(built):
    """The PDF's HTML carries report.css with every `var(--…)` replaced by its value (WeasyPrint
    resolves custom properties on every element); the screen HTML keeps the variables."""
    from reportgen.render import report as render
    css = (render.TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    defined = set(re.findall(r"(--[\w-]+)\s*:", css))
    used = set(re.findall(r"var\(\s*(--[\w-]+)", css))
    assert used and used <= defined
    inlined = render.inline_custom_properties(css)
    assert "var(" not in inlined and ":root" not in inlined
    assert "tr.not-achieved > th { border-left: 4px solid #d55e00; }" in inlined  # a status colour
    assert "var(--not)" in css
    assert "var(--itu)" in built["html"]


def test_every_output_is_a_bookmark_on_the_page_where_its_row_group_starts(built):
    """A Sector's outputs are row groups of one table (its column headers written once and
    repeated on each page); each output's header row is still a bookmark, as a heading was."""
    from reportgen.plan.loader import load_plan

    reader: PdfReader = built["pdf"]

    def marks(outline):
        for item in outline:
            if isinstance(item, list):
                yield from marks(item)
            else:
                yield item

    by_code = {squash(m.title).split(" ")[0]: m for m in marks(reader.outline)}
    html = built["html"]
    for output in load_plan(None).outputs:
        mark = by_code[output.code]
        assert squash(mark.title) == squash(f"{output.code} {output.name}")
        page = reader.get_destination_page_number(mark)
        assert output.code in built["pages"][page], output.code
        assert f'<tbody class="output" id="output-{output.code}">' in html
    assert html.count('scope="rowgroup"') == len(load_plan(None).outputs)
    assert html.count("<table class=\"kpis outputs\"") == 4  # one per Sector and the General Secretariat


def test_table_cells_in_the_pdf_name_only_their_own_headers(built):
    """PDF/UA: each data cell lists the headers that apply to it. A Sector's KPI table has 7
    columns; a cell must never list the other outputs' names as its headers (WeasyPrint's
    tagging knows scope="row" and "col" only, so the PDF's output header rows use "row")."""
    reader: PdfReader = built["pdf"]
    counts = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/TD" and node.get("/A") is not None:
            attributes = node["/A"].get_object()
            counts.append(len(attributes.get("/Headers", [])))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert len(counts) > 500  # every KPI, finance and annex cell
    assert max(counts) <= 7, sorted(counts)[-5:]


def test_text_that_looks_like_a_formula_stays_text_in_the_data_workbook(built):
    """An analyst opening data-2009.xlsx must never run a formula typed by a Bureau."""
    import copy
    import io
    import zipfile
    from types import SimpleNamespace

    from reportgen.render.dataworkbook import data_workbook

    report = copy.deepcopy(built["json"])
    report["kpis"][0]["kpi"] = '=HYPERLINK("http://attacker.example","click")'
    model = SimpleNamespace(report_date="2010-01-15", year=2009, plan=SimpleNamespace(title="the plan"))
    data = data_workbook(model, report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        sheets = b"".join(archive.read(n) for n in names)
        strings = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in archive.namelist() else b""
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula anywhere
    assert b"HYPERLINK" in sheets + strings  # kept, as text
    assert data_workbook(model, report) == data  # and the same bytes every time
