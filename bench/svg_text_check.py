"""Does bench/svg_text_shim.py draw the same report? Renders the 2009 sample report's PDF with
WeasyPrint's own SVG text and with the shim, rasterises both (pdftoppm) and compares them page
by page; also draws an SVG label in Arabic and one with a combining mark both ways.

    .venv/bin/python bench/svg_text_check.py [--dpi 60]

Writes bench/results/svg-text-check.md, and side-by-side PNGs of the pages that differ most
and of the Arabic sample (top: WeasyPrint 70 as it is; bottom: with the shim) for a person to
look at. Needs poppler-utils (pdftoppm) and Pillow.
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


def pdf_pair(html: str, attachments: list[tuple[str, bytes]] | None = None) -> tuple[bytes, bytes]:
    import svg_text_shim

    from reportgen import render

    plain = render.render_pdf(html, "pdf/ua-1", attachments)
    svg_text_shim.install()
    try:
        shimmed = render.render_pdf(html, "pdf/ua-1", attachments)
    finally:
        svg_text_shim.uninstall()
    return plain, shimmed


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

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    RESULTS.mkdir(parents=True, exist_ok=True)
    html, attachments = sample_report()
    plain, shimmed = pdf_pair(html, attachments)
    lines = ["| page | pixels that differ (of the page) |", "|---:|---:|"]
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        before, after = rasterise(plain, folder, "plain", args.dpi), rasterise(shimmed, folder, "shim", args.dpi)
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
        for _, number, a, b in sorted(diffs, reverse=True)[:2]:
            side_by_side(a, b, RESULTS / f"svg-text-page-{number}.png")
        small_plain, small_shim = pdf_pair(SAMPLE_SVG)
        side_by_side(rasterise(small_plain, folder, "small-plain", 150)[0],
                     rasterise(small_shim, folder, "small-shim", 150)[0], RESULTS / "svg-text-arabic.png", crop=True)
    report = ("Pages of the 2009 report whose rendering changes with bench/svg_text_shim.py "
              f"({args.dpi} dpi; pages not listed are identical):\n\n" + "\n".join(lines) + "\n\n"
              "Side by side (top: WeasyPrint 70 as it is, bottom: with the shim): "
              + ", ".join(p.name for p in sorted(RESULTS.glob("svg-text-*.png"))) + "\n")
    (RESULTS / "svg-text-check.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
