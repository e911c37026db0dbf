"""Render docs/img/template-kpis.png: the KPIs sheet of a filled-in 2009 BR template.

Run from the project root:  .venv/bin/python docs/img/make_screenshot.py
Needs LibreOffice (soffice) and poppler (pdftoppm). The figures typed in are made up.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reportgen.plan.loader import load_plan  # noqa: E402
from reportgen.bureau.template import build_template, previous_year  # noqa: E402

COMMENTS = {3: "Two CPM meetings moved to 2010", 9: "New software (SpaceCap) released in May"}


def main() -> None:
    plan = load_plan()
    sector = plan.sector_of_bureau("BR")
    earlier = previous_year(plan, 2009, ROOT / "inputs")
    carried = [k for k in earlier.kpis if k.bureau == "BR"] if earlier else []
    book = build_template(plan, 2009, sector, carried)
    kpis = book["KPIs"]
    for row in range(2, kpis.max_row + 1):
        target, direction = kpis.cell(row, 5).value, kpis.cell(row, 7).value
        if target is None:
            continue
        # Made-up actuals around the target, some short of it.
        factor = (0.8, 1.05, 0.95, 1.2, 0.6)[row % 5]
        actual = target / factor if direction == "lower" else target * factor
        unit = kpis.cell(row, 3).value
        actual = round(actual, 1) if unit in ("days", "weeks", "months") else round(actual)
        kpis.cell(row, 6).value = min(actual, 100) if unit == "%" else actual
        kpis.cell(row, 8).value = COMMENTS.get(row)
    for name in [n for n in book.sheetnames if n != "KPIs"]:
        del book[name]
    kpis.column_dimensions["H"].width = 36
    kpis.print_options.gridLines = True
    kpis.print_options.headings = True
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "BR_2009.xlsx"
        book.save(source)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", work, str(source)],
                       check=True, capture_output=True, timeout=180)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(Path(work) / "BR_2009.pdf"), str(Path(work) / "page")], check=True)
        target = ROOT / "docs" / "img" / "template-kpis.png"
        _trim(Path(work) / "page.png", target)
        print(f"written {target}")


def _trim(source: Path, target: Path, border: int = 12) -> None:
    """Cut the page's white margins, keeping a thin border."""
    from PIL import Image, ImageChops

    image = Image.open(source).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(0, left - border), max(0, top - border),
                            min(image.width, right + border), min(image.height, bottom + border)))
    image.save(target, optimize=True)


if __name__ == "__main__":
    main()
