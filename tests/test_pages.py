"""Every page of every language's PDF looked at by machine, as a proof-reader would: no page
more than half blank except where a chapter ends, no heading or caption at the foot of a page,
no table row left alone on a page, no text outside the margins, no missing glyph, no link
printed in blue; and each language set in its chosen typefaces (docs/typography.md).

The pages are read back with poppler (`pdftohtml -xml` gives every text run with its place,
font and colour; `pdftoppm` gives the pixels, so charts count as ink) and with pypdf (the
bookmarks say where chapters start; the tags say which table rows stand on which page). The
margins come from report.css's `@page` rule, so the check follows the stylesheet.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.i18n.catalogues import LANGUAGES, translations
from tests.test_i18n import characters_without_glyph, html_of, pdf_of, visible_text

ROOT = Path(__file__).resolve().parents[1]
ZOOM = 1.5  # pdftohtml's pixels per PDF point
MM = 72 / 25.4  # PDF points per millimetre
HEADING_COLOUR = "#1d4f91"  # report.css --itu: h1-h4 and the output rows' headings
TOLERANCE = 2.0  # points a glyph may stand past a margin (antialiasing, italic overhang)
INK = 200  # a grey darker than this is ink (the tables' pale backgrounds are lighter)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of text of one font on a page, in points from the page's top left."""

    top: float
    left: float
    width: float
    height: float
    text: str
    bold: bool
    colour: str
    size: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass(frozen=True, slots=True)
class Line:
    """Runs that share a baseline band: what a reader sees as one line."""

    runs: tuple[Run, ...]

    @property
    def top(self) -> float:
        return min(r.top for r in self.runs)

    @property
    def bottom(self) -> float:
        return max(r.bottom for r in self.runs)

    @property
    def text(self) -> str:
        return " ".join(r.text for r in sorted(self.runs, key=lambda r: r.left)).strip()


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    runs: tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


def page_margins(css: str | None = None) -> Margins:
    """The page margins of report.css's `@page` rule, in points (1 to 4 lengths in mm)."""
    css = css if css is not None else (ROOT / "templates" / "report.css").read_text(encoding="utf-8")
    rule = re.search(r"@page\s*\{[^}]*?\bmargin:\s*([^;]+);", css)
    assert rule, "report.css has no @page margin"
    values = [float(v.removesuffix("mm")) * MM for v in rule.group(1).split()]
    top, right, bottom, left = {1: values * 4, 2: values * 2, 3: values + values[1:2], 4: values}[len(values)]
    return Margins(top, right, bottom, left)


def text_pages(pdf: Path) -> list[Page]:
    """Every visible text run of every page (`pdftohtml -xml`); invisible text (the screen
    readers' labels, drawn transparent) is left out."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-noroundcoord", "-zoom", str(ZOOM), "-stdout", str(pdf)],
                         capture_output=True, check=True).stdout
    root = ElementTree.fromstring(xml)
    fonts: dict[str, tuple[str, float, bool]] = {}
    pages = []
    for page in root.iter("page"):
        for spec in page.iter("fontspec"):
            visible = spec.get("opacity") in (None, "1", "1.000000")
            fonts[spec.get("id")] = (spec.get("color", "#000000").lower(), float(spec.get("size", 0)), visible)
        runs = []
        for text in page.iter("text"):
            colour, size, visible = fonts[text.get("font")]
            content = "".join(text.itertext())
            if not visible or not content.strip():
                continue
            runs.append(Run(float(text.get("top")) / ZOOM, float(text.get("left")) / ZOOM,
                            float(text.get("width")) / ZOOM, float(text.get("height")) / ZOOM,
                            content, text.find(".//b") is not None, colour, size / ZOOM))
        pages.append(Page(int(page.get("number")), float(page.get("width")) / ZOOM,
                          float(page.get("height")) / ZOOM, tuple(runs)))
    return pages


def lines_of(runs: tuple[Run, ...] | list[Run]) -> list[Line]:
    """Runs grouped into lines: runs whose vertical middles are within a third of a line."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (r.top + r.height / 2, r.left)):
        middle = run.top + run.height / 2
        if lines and abs(middle - (lines[-1][0].top + lines[-1][0].height / 2)) <= run.height / 3:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [Line(tuple(line)) for line in lines]


def in_text_area(line: Line, page: Page, margins: Margins) -> bool:
    """True for a line of the page's body; False for the running header and footer (whose
    middles stand in the top and bottom margins)."""
    middle = (line.top + line.bottom) / 2
    return margins.top < middle < page.height - margins.bottom


def page_pixels(pdf: Path, resolution: int = 72) -> list[tuple[int, int, bytes]]:
    """Each page's pixels in grey (`pdftoppm -gray`, PGM): (width, height, bytes)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-r", str(resolution), str(pdf), f"{folder}/p"], check=True)
        pages = []
        for image in sorted(Path(folder).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
            data = image.read_bytes()
            header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
            assert header, image
            width, height = int(header.group(1)), int(header.group(2))
            pages.append((width, height, data[header.end():header.end() + width * height]))
        return pages


def blank_share(pixels: tuple[int, int, bytes], margins: Margins, page_height: float) -> float:
    """How much of the text area, from its foot upwards, holds no ink at all."""
    width, height, data = pixels
    scale = height / page_height
    first, last = int(margins.top * scale), int((page_height - margins.bottom) * scale)
    for row in range(last - 1, first - 1, -1):
        if min(data[row * width:(row + 1) * width]) < INK:
            return (last - 1 - row) / (last - first)
    return 1.0


def ink_beside_text_area(pixels: tuple[int, int, bytes], margins: Margins, page: Page) -> tuple[float, float] | None:
    """The leftmost and rightmost ink (in points) that stands in the side margins between the
    top and bottom margins (tables, rules and charts as well as text), or None."""
    width, height, data = pixels
    scale = width / page.width
    left_edge = int((margins.left - TOLERANCE) * scale)
    right_edge = int((page.width - margins.right + TOLERANCE) * scale) + 1
    outside = []
    for row in range(int(margins.top * scale), int((page.height - margins.bottom) * scale)):
        line = data[row * width:(row + 1) * width]
        outside += [x for x in range(left_edge) if line[x] < INK]
        outside += [x for x in range(right_edge, width) if line[x] < INK]
    return (min(outside) / scale, (max(outside) + 1) / scale) if outside else None


def chapter_start_pages(reader: PdfReader) -> set[int]:
    """1-based numbers of the pages where a top-level bookmark (a chapter, the contents) points."""
    return {reader.get_destination_page_number(item) + 1 for item in reader.outline if not isinstance(item, list)}


@lru_cache(maxsize=None)
def caption_words(lang: str) -> tuple[str, ...]:
    catalogue = translations(lang) if lang != "en" else None
    return tuple((catalogue.gettext(w) if catalogue else w) for w in ("Table", "Figure"))


def is_heading(line: Line) -> bool:
    """A heading line: every run bold and in the headings' colour (h2-h4, an output's row)."""
    return all(r.bold and r.colour == HEADING_COLOUR for r in line.runs)


def is_caption(line: Line, lang: str) -> bool:
    """The first line of a table's or a figure's caption: bold, opening with 'Table'/'Figure'."""
    first = min(line.runs, key=lambda r: r.left if lang != "ar" else -r.right)
    return first.bold and any(line.text.startswith(word) or line.text.endswith(word) for word in caption_words(lang))


def stranded_rows(reader: PdfReader) -> list[tuple[int, str]]:
    """Table body rows standing alone on a page, cut from the rest of their table.

    WeasyPrint tags each page's piece of a table as a /Table element of that page; a piece
    that continues a table has no /Caption. A piece with a single body row (/TR under /TBody)
    that is cut from the piece before or after it is a stranded row."""
    pieces: list[tuple[int, bool, int]] = []  # page, has a caption, body rows
    page_numbers = {page.indirect_reference.idnum: n + 1 for n, page in enumerate(reader.pages)}

    def kids(node):
        value = node.get("/K")
        if value is None:
            return []
        value = value.get_object()
        items = value if isinstance(value, list) else [value]
        return [k.get_object() for k in items if hasattr(k.get_object(), "get") and k.get_object().get("/S")]

    def walk(node):
        if node.get("/S") == "/Table":
            page = page_numbers.get(node.raw_get("/Pg").idnum, 0) if "/Pg" in node else 0
            children = kids(node)
            rows = [row for group in children if group.get("/S") == "/TBody" for row in kids(group)
                    if row.get("/S") == "/TR"]
            rows += [row for row in children if row.get("/S") == "/TR"]
            pieces.append((page, any(c.get("/S") == "/Caption" for c in children), len(rows)))
            return
        for kid in kids(node):
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    found = []
    for index, (page, captioned, rows) in enumerate(pieces):
        continues = not captioned and index > 0 and pieces[index - 1][0] == page - 1
        continued = (index + 1 < len(pieces) and not pieces[index + 1][1] and pieces[index + 1][0] == page + 1)
        if rows == 1 and (continues or continued):
            found.append((page, "continues" if continues else "is continued"))
    return found


@dataclass(frozen=True, slots=True)
class Fault:
    page: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.detail}"


def page_faults(pdf: Path, lang: str, html: str | None = None) -> list[Fault]:
    """Every fault of the PDF's pages that a proof-reader would mark."""
    margins = page_margins()
    reader = PdfReader(pdf)
    pages = text_pages(pdf)
    pixels = page_pixels(pdf)
    chapters = chapter_start_pages(reader)
    faults: list[Fault] = []
    for page, image in zip(pages, pixels):
        all_lines = lines_of(page.runs)
        lines = [line for line in all_lines if in_text_area(line, page, margins)]
        # Half blank: allowed on the page before a chapter (a chapter starts on a new page).
        before_chapter = page.number + 1 in chapters or page.number == len(pages)
        share = blank_share(image, margins, page.height)
        if share > 0.5 and not before_chapter:
            faults.append(Fault(page.number, "more than half blank", f"{share:.0%} of the text area empty"))
        # A heading or caption with nothing after it on its page. A caption's second line is
        # bold like its first.
        titles: set[int] = set()
        for i, line in enumerate(lines):
            if (is_heading(line) or is_caption(line, lang)
                    or (i - 1 in titles and all(r.bold for r in line.runs)
                        and {r.colour for r in line.runs} <= {r.colour for r in lines[i - 1].runs})):
                titles.add(i)
        last_body = max((i for i in range(len(lines)) if i not in titles), default=-1)
        for i in sorted(titles):
            if i > last_body:
                faults.append(Fault(page.number, "heading at the foot of the page", lines[i].text[:80]))
        # Text outside the margins: sideways on every page, and into the top or bottom margin
        # beyond the one line of the running header and of the footer.
        for run in page.runs:
            if run.left < margins.left - TOLERANCE or run.right > page.width - margins.right + TOLERANCE:
                faults.append(Fault(page.number, "text outside the margins",
                                    f"'{run.text[:40]}' from {run.left:.0f} to {run.right:.0f} pt "
                                    f"(text area {margins.left:.0f}-{page.width - margins.right:.0f} pt)"))
        in_top = [line.text for line in all_lines if (line.top + line.bottom) / 2 <= margins.top]
        in_bottom = [line.text for line in all_lines if (line.top + line.bottom) / 2 >= page.height - margins.bottom]
        if len(in_top) > 1 or len(in_bottom) > 1:
            faults.append(Fault(page.number, "text outside the margins",
                                f"more than the running header or footer in the top or bottom margin: {in_top + in_bottom}"))
        beside = ink_beside_text_area(image, margins, page)
        if beside is not None:
            faults.append(Fault(page.number, "ink outside the margins",
                                f"from {beside[0]:.0f} to {beside[1]:.0f} pt "
                                f"(text area {margins.left:.0f}-{page.width - margins.right:.0f} pt)"))
    # On paper a link is a reference in the text's own colour: only headings (bold) are blue.
    for page in pages:
        blue = [r.text for r in page.runs if r.colour == HEADING_COLOUR and not r.bold]
        if blue:
            faults.append(Fault(page.number, "printed link in blue", blue[0][:40]))
    for page, where in stranded_rows(reader):
        faults.append(Fault(page, "a single table row stranded", f"the only row of a table that {where}"))
    if html is not None:
        missing = characters_without_glyph(visible_text(html), pdf)
        if missing:
            faults.append(Fault(0, "glyph missing", "".join(sorted(missing))[:40]))
    return faults


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_passes_the_proof_check(six_languages, lang):
    faults = page_faults(pdf_of(six_languages, lang), lang, html_of(six_languages, lang))
    assert not faults, f"{lang}: " + "; ".join(map(str, faults))


def proof_document(body: str) -> str:
    """A page of HTML styled by the report's own stylesheet, as the PDF is."""
    from reportgen.render.report import inline_custom_properties

    css = inline_custom_properties((ROOT / "templates" / "report.css").read_text(encoding="utf-8"))
    return f'<!DOCTYPE html><html lang="en"><head><title>Proof</title><style>{css}</style></head><body>{body}</body></html>'


def test_the_proof_check_finds_each_fault(tmp_path):
    """A document with one of each fault: the check names each, on its page, and nothing else."""
    from reportgen.render.report import render_pdf

    words = "The Council is invited to consider this report. " * 6
    rows = "".join(f'<tr><th scope="row">Row {n}</th><td style="height: 20mm">{n}</td></tr>' for n in range(3))
    body = (
        f'<section class="chapter"><h2>1 First chapter</h2><p>{words}</p>'
        # page 1: a heading whose text is pushed onto the next page
        f'<div style="height: 200mm"></div><h3 style="break-after: auto">1.1 A heading left behind</h3>'
        f'<div style="height: 100mm; break-inside: avoid"><p>{words}</p></div>'
        # page 2: a line running into the right margin, then the page ends early
        f'<p style="margin-right: -30mm; white-space: nowrap">{words}</p>'
        f'<p style="break-before: page">{words}</p>'
        # page 3: a table whose first row stands alone at the foot of the page
        f'<div style="height: 180mm"></div><table><caption>Table 1.1. Rows</caption>'
        f'<thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table></section>'
        f'<section class="chapter"><h2>2 Second chapter</h2><p>{words} <a href="#x" style="color: #1d4f91">link</a></p></section>')
    html = proof_document(body)
    pdf = tmp_path / "proof.pdf"
    pdf.write_bytes(render_pdf(html, "pdf/ua-1"))
    faults = {(f.page, f.kind) for f in page_faults(pdf, "en", html)}
    assert faults == {(1, "heading at the foot of the page"), (2, "text outside the margins"),
                      (2, "ink outside the margins"), (2, "more than half blank"),
                      (3, "a single table row stranded"), (5, "printed link in blue")}, faults


def test_a_clean_document_passes_the_proof_check(tmp_path):
    from reportgen.render.report import render_pdf

    words = "The Council is invited to consider this report. " * 40
    html = proof_document(f'<section class="chapter"><h2>1 Chapter</h2><h3>1.1 Section</h3><p>{words}</p>'
                          f'<p>{words}</p></section><section class="chapter"><h2>2 Next</h2><p>{words}</p></section>')
    pdf = tmp_path / "clean.pdf"
    pdf.write_bytes(render_pdf(html, "pdf/ua-1"))
    assert page_faults(pdf, "en", html) == []


def embedded_faces(pdf: Path) -> list[str]:
    """The fonts embedded in a PDF as `pdffonts` lists them, without the subset prefix."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:] if line.strip()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_is_set_in_its_chosen_faces(six_languages, lang):
    """The typefaces of docs/typography.md, and for Chinese the Simplified Chinese faces only
    (fontconfig's default CJK face, the Japanese one, used to come in with the charts)."""
    faces = embedded_faces(pdf_of(six_languages, lang))
    other_cjk = [f for f in faces if re.search(r"CJK-(JP|KR|TC|HK)", f)]
    assert not other_cjk, f"{lang}: {other_cjk}"
    if lang == "zh":
        assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= set(faces), faces
        assert not any("Oblique" in f and "CJK" in f for f in faces), faces
    elif lang == "ar":
        assert "Noto-Naskh-Arabic" in faces and "Noto-Naskh-Arabic-Bold" in faces, faces
        assert not any("Arabic" in f and ("Oblique" in f or "Italic" in f) for f in faces), faces
    else:
        assert {"Noto-Serif", "Noto-Serif-Bold", "Noto-Sans", "Noto-Sans-Bold"} <= set(faces), faces
