"""The report as a reader gets it: the 2009 sample opened from disk in Debian's Chromium
(driven by tests/browser/check-page.mjs through playwright-core), with axe-core's accessibility
rules run on it. The page must fetch nothing, log no error, have no serious or critical axe
violation, and render whole; a KPI comment written as HTML must show as text and fetch nothing.

Needs `node`, /usr/bin/chromium (or $CHROMIUM) and tests/browser/node_modules, which `make test`
installs with `npm ci --prefix tests/browser` whenever it is missing or package-lock.json changed.
Without any of them every test here fails, saying what to install: never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import openpyxl
import pytest

from reportgen.cli import main
from reportgen.plan.loader import load_plan

ROOT = Path(__file__).resolve().parents[1]
BROWSER_DIR = ROOT / "tests" / "browser"
CHECK_PAGE = BROWSER_DIR / "check-page.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SERIOUS = {"serious", "critical"}
INJECTED_COMMENT = '<img src="http://127.0.0.1:9/x.png"><script>fetch("http://127.0.0.1:9/")</script>'


def _missing_tools() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("`node` is not on PATH (apt-get install nodejs npm)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium, or set CHROMIUM to a Chromium binary)")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir() or not (
        BROWSER_DIR / "node_modules" / "axe-core").is_dir():
        missing.append("tests/browser/node_modules is missing (`make test` installs it, or run "
                       "`npm ci --prefix tests/browser`)")
    return missing


@pytest.fixture(scope="module", autouse=True)
def browser_tools() -> None:
    missing = _missing_tools()
    if missing:
        pytest.fail("the browser checks need: " + "; ".join(missing), pytrace=False)


def check_page(html: Path, screenshot: Path | None, *expect_texts: str, axe: bool = True) -> dict:
    """Open `html` in Chromium; return check-page.mjs's JSON (requests, errors, axe, ...).
    No screenshot when `screenshot` is None; no axe-core run unless `axe`."""
    command = ["node", str(CHECK_PAGE), str(html), str(screenshot) if screenshot else "-"]
    for text in expect_texts:
        command += ["--expect-text", text]
    if not axe:
        command.append("--no-axe")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, f"check-page.mjs failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)


def build(inputs: Path, outputs: Path) -> Path:
    code = main(["build", "--year", "2009", "--inputs", str(inputs), "--outputs", str(outputs), "--no-pdf"])
    assert code == 0
    return outputs / "2009" / "report-2009.html"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("browser")
    html = build(ROOT / "inputs", folder / "outputs")
    return check_page(html, folder / "report-2009.png")


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['nodes']} elements, e.g. {', '.join(v['targets'])}): {v['help']}"
                     for v in violations)


def test_the_page_makes_no_request(page):
    assert page["requests"] == []


def test_the_page_logs_no_error(page):
    assert page["console_errors"] == []
    assert page["page_errors"] == []


def test_no_serious_or_critical_accessibility_violation(page):
    serious = [v for v in page["violations"] if v["impact"] in SERIOUS]
    assert not serious, "axe-core found:\n" + describe(serious)


def test_title_and_first_heading_are_the_reports(page):
    plan = load_plan()
    assert page["title"] == f"Progress report on the {plan.title}, 2009"
    assert page["h1"] == f"Progress report on the {plan.title}"
    assert page["lang"] == "en"
    assert page["headings_count"] > 10


def test_the_screenshot_is_the_whole_page(page):
    shot = Path(page["screenshot"]["path"])
    assert shot.is_file()
    width, height = png_size(shot)
    assert width == page["viewport"]["width"]
    # Full page: many screens tall, not just the first one.
    assert height > 3 * page["viewport"]["height"]


def test_a_workbook_comment_cannot_make_the_browser_fetch_or_run_anything(tmp_path):
    inputs = tmp_path / "inputs"
    for year in ("2008", "2009"):
        shutil.copytree(ROOT / "inputs" / year, inputs / year)
    workbook_path = inputs / "2009" / "BR_2009.xlsx"
    book = openpyxl.load_workbook(workbook_path)
    sheet = book["KPIs"]
    header_row = next(row for row in sheet.iter_rows(min_row=1, max_row=10) if row[0].value == "Output")
    columns = {cell.value: cell.column for cell in header_row}
    row = sheet.max_row + 1
    for name, value in {"Output": "R-01", "KPI": "Injected", "Unit": "number", "Target": 1, "Actual": 1,
                        "Direction": "higher", "Comment": INJECTED_COMMENT}.items():
        sheet.cell(row=row, column=columns[name], value=value)
    book.save(workbook_path)

    html = build(inputs, tmp_path / "outputs")
    result = check_page(html, None, INJECTED_COMMENT, axe=False)

    report = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    injected = [k for k in report["kpis"] if k.get("kpi") == "Injected"]
    assert [k["comment"] for k in injected] == [INJECTED_COMMENT], "the injected row was not kept as typed"
    assert result["requests"] == []
    assert result["console_errors"] == [] and result["page_errors"] == []
    assert result["elements"]["script"] == 0 and result["elements"]["img"] == 0
    # The comment is shown to the reader as the text that was typed.
    assert result["texts_found"][INJECTED_COMMENT] is True
