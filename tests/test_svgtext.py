"""SVG text drawn as whole runs (`reportgen.render.svgtext`): Arabic chart labels come out as Pango
shapes them in ordinary text, Latin labels land where WeasyPrint itself would put them, and a
WeasyPrint the module does not know is left alone.

Pages are rasterised with pdftoppm (poppler-utils) and compared by where their ink is."""

from __future__ import annotations

import logging
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.render import report as render
from reportgen.render import svgtext

# pdftoppm is these tests' only eye on the pages, and these tests are all that stands behind
# svgtext's patch of WeasyPrint's private SVG code: without it they fail (conftest.py).
pytestmark = pytest.mark.needs_tool("pdftoppm")

ARABIC = "الاتحاد الدولي للاتصالات"
PAGE = ("<!DOCTYPE html><html><head><style>@page { size: 120mm 30mm; margin: 0 } body { margin: 0 }"
        "</style></head><body>%s</body></html>")


def svg_page(text: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return PAGE % ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80" viewBox="0 0 400 80">'
                   f'<text x="20" y="50" font-family="DejaVu Sans" font-size="24"{extra}>{text}</text></svg>')


Ink = tuple[int, int, int, int, int]  # left, right, top, bottom, dark pixels


def ink(pdf: bytes) -> Ink:
    """Where the first page's dark pixels are, at 100 dpi."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "page.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-r", "100", "-singlefile", f"{folder}/page.pdf", f"{folder}/page"],
                       check=True)
        data = Path(folder, "page.pgm").read_bytes()
    _, width, height, _, pixels = data.split(maxsplit=4)
    w, h = int(width), int(height)
    pixels = pixels[-w * h:]
    dark = [(i % w, i // w) for i, value in enumerate(pixels) if value < 128]
    assert dark, "nothing drawn"
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return min(xs), max(xs), min(ys), max(ys), len(dark)


@pytest.fixture
def weasyprint_alone() -> Iterator[object]:
    """WeasyPrint with its own SVG text, restored to whole runs afterwards."""
    weasyprint = render.import_weasyprint()
    svgtext.uninstall()
    try:
        yield weasyprint
    finally:
        assert svgtext.install()


def test_the_report_renders_with_whole_runs() -> None:
    render.import_weasyprint()
    import weasyprint.svg

    assert svgtext.supported()
    assert weasyprint.svg.TAGS["text"] is svgtext._whole_text  # noqa: SLF001


def test_arabic_label_is_shaped_like_ordinary_text(weasyprint_alone) -> None:  # noqa: ANN001
    label = svg_page(ARABIC)
    paragraph = PAGE % ('<p style="margin: 30px 0 0; padding-left: 20px; font: 24px/1 \'DejaVu Sans\'">'
                        f"{ARABIC}</p>")
    letter_by_letter = ink(weasyprint_alone.HTML(string=label).write_pdf())
    assert svgtext.install()
    shaped, text = ink(render.render_pdf(label)), ink(render.render_pdf(paragraph))
    # The same width and ink as Pango's own paragraph (a pixel or two of rounding allowed).
    assert abs(shaped[0] - text[0]) <= 2 and abs(shaped[1] - text[1]) <= 2, (shaped, text)
    assert abs(shaped[4] - text[4]) <= text[4] * 0.03, (shaped, text)
    # Letter by letter, the isolated forms are wider: the comparison above can fail.
    assert letter_by_letter[1] - letter_by_letter[0] > (text[1] - text[0]) * 1.2


@pytest.mark.parametrize("anchor", ["start", "middle", "end"])
def test_latin_labels_land_where_weasyprint_puts_them(weasyprint_alone, anchor: str) -> None:  # noqa: ANN001
    page = svg_page("R-01 Budget 3,840 · <tspan font-weight=\"bold\">97%</tspan>", text_anchor=anchor)
    own = ink(weasyprint_alone.HTML(string=page).write_pdf())
    assert svgtext.install()
    whole = ink(render.render_pdf(page))
    # Kerning across letters may move the end of a run by a pixel or two, never more.
    assert all(abs(a - b) <= 2 for a, b in zip(own[:4], whole[:4])), (own, whole)
    assert abs(own[4] - whole[4]) <= own[4] * 0.05


def test_a_link_inside_text_is_drawn(weasyprint_alone) -> None:  # noqa: ANN001
    """WeasyPrint draws <a> inside <text> with its text function too: the patch covers it."""
    page = svg_page('AB <a href="#x">CDEF</a>')
    own = ink(weasyprint_alone.HTML(string=page).write_pdf())
    assert svgtext.install()
    whole = ink(render.render_pdf(page))
    assert abs(own[1] - whole[1]) <= 2 and abs(own[4] - whole[4]) <= own[4] * 0.05, (own, whole)


def test_glyphs_placed_one_by_one_are_left_to_weasyprint() -> None:
    page = svg_page("ABC", dx="0 12 12")
    spread, plain = ink(render.render_pdf(page)), ink(render.render_pdf(svg_page("ABC")))
    assert spread[1] - spread[0] >= plain[1] - plain[0] + 20


def test_an_unknown_weasyprint_is_not_patched(weasyprint_alone, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                              caplog: pytest.LogCaptureFixture) -> None:
    import weasyprint.svg

    monkeypatch.setattr(weasyprint_alone, "__version__", "71.0")
    svgtext._warn_unsupported.cache_clear()  # noqa: SLF001
    own = weasyprint.svg.TAGS["text"]
    with caplog.at_level(logging.WARNING, logger="reportgen.render.svgtext"):
        assert not svgtext.install() and not svgtext.install()
    assert weasyprint.svg.TAGS["text"] is own
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "71.0" in warnings[0] and "letter by letter" in warnings[0]
    monkeypatch.undo()
