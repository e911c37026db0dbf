"""Does reportgen.render.svgtext (SVG chart text drawn as whole runs) draw the same report as WeasyPrint's
own SVG text? Renders the 2009 sample report's PDF as the build does (`render.render_pdf`,
svgtext installed) and again with svgtext uninstalled (WeasyPrint 70 letter by letter, see
`pdf_experiments.letter_by_letter`), rasterises both (pdftoppm) and compares them page by page;
also draws an SVG label in Arabic and one with a combining mark both ways.

    .venv/bin/python bench/svg_text_check.py [--dpi 60]

Writes bench/results/svg-text-check.md, and side-by-side PNGs of the pages that differ most
and of the Arabic sample (top: WeasyPrint 70's own SVG text; bottom: with reportgen.render.svgtext, as
the build renders) for a person to look at. Needs poppler-utils (pdftoppm) and Pillow.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
RESULTS = BENCH / "results"

SAMPLE_SVG = """<!DOCTYPE html><html><body style="margin:0">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 60" width="300">
<text x="10" y="25" font-family="DejaVu Sans" font-size="16">الاتحاد الدولي للاتصالات</text>
<text x="10" y="50" font-family="DejaVu Sans" font-size="14">Se&#x30A; · fi · 2009 · <tspan font-weight="bold">R-01</tspan></text>
</svg></body></html>"""


def pdf_pair(html: str, attachments: list[tuple[str, bytes]] | None = None,
             date: str | None = None) -> tuple[bytes, bytes]:
    """(WeasyPrint's own SVG text, reportgen.render.svgtext): the same PDF rendered both ways."""
    from pdf_experiments import render_pdf

    letters = render_pdf(html, "pdf/ua-1", attachments, date, letters=True)
    whole = render_pdf(html, "pdf/ua-1", attachments, date)
    return letters, whole


def rasterise(pdf: bytes, folder: Path, prefix: str, dpi: int) -> list[Path]:
    source = folder / f"{prefix}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / prefix)], check=True)
    return sorted(folder.glob(f"{prefix}-*.png"))


def side_by_side(top: Path, bottom: Path, target: Path, crop: bool = False) -> None:
    from PIL import Image, ImageOps

    a, b = Image.open(top).convert("L"), Image.open(bottom).convert("L")
    if crop:
        boxes = [ImageOps.invert(image).getbbox() for image in (a, b)]
        box = (min(x[0] for x in boxes) - 8, min(x[1] for x in boxes) - 8,
               max(x[2] for x in boxes) + 8, max(x[3] for x in boxes) + 8)
        a, b = a.crop(box), b.crop(box)
    sheet = Image.new("L", (max(a.width, b.width), a.height + b.height + 6), 0)
    sheet.paste(a, (0, 0))
    sheet.paste(b, (0, a.height + 6))
    sheet.save(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    import logging

    from PIL import Image, ImageChops

    from pdf_experiments import sample_report
    from reportgen.render import svgtext
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not svgtext.supported():
        raise SystemExit("reportgen.render.svgtext does not install on this WeasyPrint: nothing to compare")
    report = sample_report()
    letters, whole = pdf_pair(report.html, report.attachments, report.date)
    lines = ["| page | pixels that differ (of the page) |", "|---:|---:|"]
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        before, after = rasterise(letters, folder, "letters", args.dpi), rasterise(whole, folder, "whole", args.dpi)
        if len(before) != len(after):
            lines.append(f"| – | page count differs: {len(before)} against {len(after)} |")
        diffs = []
        for number, (a, b) in enumerate(zip(before, after), start=1):
            difference = ImageChops.difference(Image.open(a).convert("L"), Image.open(b).convert("L"))
            changed = sum(1 for value in (difference.get_flattened_data() if hasattr(difference, "get_flattened_data") else difference.getdata()) if value > 64)
            total = difference.width * difference.height
            if changed:
                diffs.append((changed, number, a, b))
                lines.append(f"| {number} | {changed} ({100 * changed / total:.2f} %) |")
        for old in RESULTS.glob("svg-text-page-*.png"):  # an earlier run's pages
            old.unlink()
        for _, number, a, b in sorted(diffs, reverse=True)[:2]:
            side_by_side(a, b, RESULTS / f"svg-text-page-{number}.png")
        small_letters, small_whole = pdf_pair(SAMPLE_SVG)
        side_by_side(rasterise(small_letters, folder, "small-letters", 150)[0],
                     rasterise(small_whole, folder, "small-whole", 150)[0], RESULTS / "svg-text-arabic.png", crop=True)
    text = ("Pages of the 2009 report whose rendering differs between WeasyPrint 70's own SVG text "
            "(letter by letter, reportgen.render.svgtext uninstalled) and reportgen.render.svgtext (whole runs, as the "
            f"build renders) ({args.dpi} dpi; pages not listed are identical):\n\n" + "\n".join(lines) + "\n\n"
            "Side by side (top: WeasyPrint's own SVG text, bottom: with reportgen.render.svgtext): "
            + ", ".join(p.name for p in sorted(RESULTS.glob("svg-text-*.png"))) + "\n")
    (RESULTS / "svg-text-check.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
