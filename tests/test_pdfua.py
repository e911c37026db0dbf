"""The PDFs are accessible as an outside checker reads them: `pdfua` (the machine-checkable part
of PDF/UA-1 and the Matterhorn protocol) finds nothing in any of the six languages, every
table header cell carries its scope, no heading is empty, and the cover's document details
are not tagged as a table."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pdfua import validate

from reportgen.i18n.catalogues import LANGUAGES
from reportgen.render import tablescope
from reportgen.render.report import render_pdf
from tests.test_i18n import pdf_of

# pdfua 0.1.3's empty-heading rule stops on pikepdf 10 (it asks a /K array for an attribute,
# which pikepdf answers with ValueError, not AttributeError): `headings_without_text` below
# checks the same thing.
RULES_THAT_CANNOT_RUN = {"UA-14-001"}


def structure_elements(pdf: pikepdf.Pdf):
    """Every structure element of the tagged PDF, depth first, in reading order."""
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if "/S" in node:
            yield node
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(reversed(list(kids)))
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)


def marks_content(node) -> bool:
    """True if the element, or one below it, holds marked content (an MCID) of a page."""
    if isinstance(node, int):
        return True
    if isinstance(node, pikepdf.Array):
        return any(marks_content(kid) for kid in node)
    if isinstance(node, pikepdf.Dictionary):
        if "/MCID" in node:
            return True
        return "/K" in node and marks_content(node.K)
    return False


def header_cells_without_scope(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    for element in structure_elements(pdf):
        if element.S == "/TH":
            scope = element.get("/A", {}).get("/Scope")
            if scope not in ("/Row", "/Column", "/Both"):
                found.append(str(element.get("/ID", "?")))
    return found


def headings_without_text(pdf: pikepdf.Pdf) -> list[str]:
    return [str(e.S) for e in structure_elements(pdf)
            if str(e.S) in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6") and not marks_content(e.get("/K"))]


def test_header_cells_get_the_scope_of_their_html(tmp_path):
    """The WeasyPrint patch applies (it fails here first when WeasyPrint's internals move)."""
    assert tablescope.install()
    html = ('<html lang="en"><head><title>Scopes</title></head><body><table><caption>Money</caption>'
            '<thead><tr><th>Sector</th><th scope="col">Budget</th></tr></thead>'
            '<tbody><tr><th scope="row">ITU-R</th><td>29,350</td></tr></tbody>'
            '<tfoot><tr><th scope="row">Total</th><td>29,350</td></tr></tfoot></table></body></html>')
    path = tmp_path / "scopes.pdf"
    path.write_bytes(render_pdf(html, "pdf/ua-1"))
    with pikepdf.open(path) as pdf:
        scopes = [str(e.A.Scope) for e in structure_elements(pdf) if e.S == "/TH"]
    assert scopes == ["/Column", "/Column", "/Row", "/Row"]
    report = validate(str(path))
    assert not report.findings, [f.message for f in report.findings]


def test_the_checker_finds_a_table_without_header_cells(tmp_path):
    """The check can fail: the cover's old layout (a table of data cells) is an error to it."""
    html = ('<html lang="en"><head><title>Cover</title></head><body><table>'
            '<tr><td>Document</td><td>C10/35-E</td></tr></table></body></html>')
    path = tmp_path / "cover.pdf"
    path.write_bytes(render_pdf(html, "pdf/ua-1"))
    assert [f.rule_id for f in validate(str(path)).findings] == ["UA-15-003"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_finding_in_any_language(six_languages, lang):
    path: Path = pdf_of(six_languages, lang)
    report = validate(str(path))
    findings = [f"{f.rule_id} page {f.location.page}: {f.message}" for f in report.findings]
    assert not findings, f"{lang}: " + "; ".join(findings)
    assert {o.rule_id for o in report.skipped} <= RULES_THAT_CANNOT_RUN, [o.skipped_reason for o in report.skipped]
    with pikepdf.open(path) as pdf:
        assert not header_cells_without_scope(pdf), lang
        assert not headings_without_text(pdf), lang
        roles = [str(e.S) for e in structure_elements(pdf)]
        assert roles.count("/TH") > 100 and "/Table" in roles
        # The cover's document details (agenda item, number, date, original) are a list.
        first_table = roles.index("/Table")
        assert "/H1" in roles[:first_table] and "/L" in roles[:roles.index("/H1")]
