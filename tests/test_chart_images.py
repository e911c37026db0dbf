"""The charts as the PDF gets them: `build()` hands its PDF workers a page in which every chart is
an `<img src="data:image/svg+xml;base64,...">` (WeasyPrint then renders each as a self-contained
image). The page is taken where production hands it over, on its way to the real workers; each
image is decoded and read as SVG, and what it writes must be in the PDF that comes back.

tests/test_charts.py checks the charts' drawing; this checks the way they travel."""

from __future__ import annotations

import base64
import html as html_module
import json
import re
import xml.etree.ElementTree as ET
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reportgen.options import Options
from reportgen.pipeline.build import build
from reportgen.pipeline.workers import PdfPool

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
DATA_URI = "data:image/svg+xml;base64,"
FIGURE = re.compile(r'<figure class="chart" id="figure-([^"]+)">(.*?)</figure>', re.S)


class RecordingPdfPool:
    """The real PDF workers, keeping each page that the build submits to them."""

    def __init__(self) -> None:
        self.pool = PdfPool(jobs=1)
        self.pages: list[str] = []

    def submit(self, html: str, *args: Any, **kwargs: Any) -> Future[bytes]:
        self.pages.append(html)
        return self.pool.submit(html, *args, **kwargs)

    def close(self, cancel: bool = False) -> None:
        self.pool.close(cancel)

    def __enter__(self) -> RecordingPdfPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(cancel=exc_info[0] is not None)


@dataclass(frozen=True)
class ChartImage:
    id: str
    caption: str
    alt: str  # the <img>'s alt attribute
    alt_paragraph: str  # the text alternative printed under the chart
    svg: ET.Element
    source: str  # the decoded SVG


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, white space folded."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def chart_images(page: str) -> list[ChartImage]:
    images = []
    for chart_id, body in FIGURE.findall(page):
        img = re.search(r'<img src="([^"]*)" alt="([^"]*)"', body)
        assert img, f"figure-{chart_id} has no <img> in the PDF's page"
        src = html_module.unescape(img.group(1))
        assert src.startswith(DATA_URI), f"figure-{chart_id}: the image is not an SVG data URI: {src[:60]}"
        source = base64.b64decode(src.removeprefix(DATA_URI), validate=True).decode("utf-8")
        try:
            svg = ET.fromstring(source)
        except ET.ParseError as error:
            pytest.fail(f"figure-{chart_id}: the image is not well-formed SVG ({error})")
        caption = re.search(r"<figcaption>(.*?)</figcaption>", body, re.S)
        alt_paragraph = re.search(r'<p class="alt">(.*?)</p>', body, re.S)
        images.append(ChartImage(chart_id, text_of(caption.group(1)) if caption else "",
                                 html_module.unescape(img.group(2)),
                                 text_of(alt_paragraph.group(1)) if alt_paragraph else "", svg, source))
    return images


def svg_texts(svg: ET.Element) -> list[str]:
    return [" ".join("".join(node.itertext()).split()) for node in svg.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """The 2009 sample built by `build()` with the PDF: its PDF's page, its reader's HTML, its
    JSON and the PDF's text."""
    outputs = tmp_path_factory.mktemp("outputs")
    pdfs = RecordingPdfPool()
    build(2009, Options(inputs=ROOT / "inputs", outputs=outputs), pdfs)
    folder = outputs / "2009"
    (page,) = pdfs.pages
    pdf = PdfReader(folder / "report-2009.pdf")
    return {
        "page": page,
        "images": chart_images(page),
        "html": (folder / "report-2009.html").read_text(encoding="utf-8"),
        "json": json.loads((folder / "report-2009.json").read_text(encoding="utf-8")),
        "pdf_text": " ".join(" ".join(p.extract_text() for p in pdf.pages).split()),
    }


def test_every_chart_reaches_the_pdf_as_an_svg_image(production: dict) -> None:
    images = production["images"]
    reader_charts = [chart_id for chart_id, _ in FIGURE.findall(production["html"])]
    assert reader_charts, "the reader's HTML has no chart"
    assert [image.id for image in images] == reader_charts
    # Nothing drawn inline: an inline SVG would make WeasyPrint style it as HTML (and warn).
    assert "<svg" not in production["page"]


def test_each_image_is_a_standalone_svg(production: dict) -> None:
    for image in production["images"]:
        where = f"figure-{image.id}"
        assert image.svg.tag == f"{SVG}svg", f"{where}: the root is {image.svg.tag}, not an SVG <svg>"
        view_box = [float(v) for v in image.svg.get("viewBox", "").replace(",", " ").split()]
        assert len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0, f"{where}: viewBox {view_box}"
        ids = [node.get("id") for node in image.svg.iter() if node.get("id")]
        assert len(ids) == len(set(ids)), f"{where}: an id is used twice"
        # An image cannot reach the page it sits in: every reference stays inside the SVG.
        for node in image.svg.iter():
            assert not node.tag.endswith(("script", "foreignObject", "image")), f"{where}: <{node.tag}>"
            for name, value in node.attrib.items():
                if name.endswith("href"):
                    assert value.startswith("#") and value[1:] in ids, f"{where}: {name}={value}"
                assert "url(" not in value or re.fullmatch(r"url\(#[\w-]+\)", value.strip()), f"{where}: {value}"


def test_each_image_says_what_it_shows(production: dict) -> None:
    for image in production["images"]:
        where = f"figure-{image.id}"
        title = image.svg.find(f"{SVG}title")
        assert title is not None and title.text, f"{where}: no <title>"
        assert image.caption.endswith(title.text), f"{where}: caption {image.caption!r}, title {title.text!r}"
        assert image.alt and image.alt == image.alt_paragraph, f"{where}: alt {image.alt!r}"
        texts = svg_texts(image.svg)
        assert texts and all(texts), f"{where}: an empty <text>"


def test_the_images_are_the_charts_the_reader_sees(production: dict) -> None:
    inline = {chart_id: re.search(r"<svg.*</svg>", body, re.S).group(0)
              for chart_id, body in FIGURE.findall(production["html"])}
    for image in production["images"]:
        assert svg_texts(image.svg) == svg_texts(ET.fromstring(inline[image.id])), f"figure-{image.id}"


def test_the_images_show_the_reports_figures(production: dict) -> None:
    images = {image.id: svg_texts(image.svg) for image in production["images"]}
    report = production["json"]

    def starts(texts: list[str], code: str) -> bool:
        return any(text == code or text.startswith(f"{code} ") for text in texts)

    objectives = [o["code"] for o in report["objectives"]]
    assert objectives and all(starts(images["status-by-objective"], code) for code in objectives)
    goals = [g["code"] for g in report["goals"]]
    assert goals and all(starts(images["goals-matrix"], code) for code in goals)
    budgets = [f for f in report["finance"] if f["budget"]]
    assert budgets
    for row in budgets:
        sector = row["output"].rsplit("-", 1)[0]
        assert starts(images[f"budget-{sector}"], row["output"]), f"{row['output']} not in budget-{sector}"


def test_what_the_images_write_is_in_the_pdf(production: dict) -> None:
    pdf_text = production["pdf_text"]
    for image in production["images"]:
        missing = [text for text in svg_texts(image.svg) if text not in pdf_text]
        assert not missing, f"figure-{image.id}: not in the PDF: {missing[:10]}"
