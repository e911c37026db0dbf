"""Where the PDF's time goes, and what would win it back: the 2009 sample report's PDF HTML
(`render.render_html(..., for_pdf=True)`, as the build gives WeasyPrint), changed one way at a
time, rendered with WeasyPrint exactly as `render.render_pdf` does (tagged `pdf/ua-1`, with the
JSON and the data workbook attached, SVG chart text drawn as whole runs by reportgen.render.svgtext).

    .venv/bin/python bench/pdf_experiments.py [--runs 3] [--only NAME,...] [--profile] [--html FILE]

Times are CPU seconds of this process (`time.process_time`), not wall clock: on a shared
2-core machine wall clock swings with other people's work, CPU time less. Variants run in
turn (round robin), `--runs` times each after one warm-up; the fastest run is kept (other
work on the machine only ever adds time), the median is shown beside it. Writes
`bench/results/pdf-experiments.json` and `.md`; `--profile` also prints a cProfile summary of
the unchanged report, grouped by WeasyPrint stage.

The CSS and output variants are ideas for the templates' owners, not changes made here: the
table says what each would save, and whether it changes the page count. One variant goes the
other way and measures a change already made: "WeasyPrint's own SVG text, letter by letter"
renders with reportgen.render.svgtext uninstalled, so its (negative) saving is what whole-run SVG text
saves. A variant whose change no longer applies to the HTML raises LookupError and is skipped.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


# -- the report to experiment on --------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """The sample report as the build hands it to a PDF worker."""

    html: str  # the PDF's HTML
    attachments: list[tuple[str, bytes]]  # the JSON and the data workbook
    date: str | None  # the report's date, the attachments' date


def sample_report(year: int = 2009) -> Report:
    """The 2009 sample report, built without the PDF; its PDF HTML made as the build makes it."""
    from reportgen.pipeline import build
    from reportgen.render import report as render
    from reportgen.render.locale import ENGLISH
    from reportgen.settings import load_thresholds

    with tempfile.TemporaryDirectory() as temp:
        result = build.build(year, build.Options(inputs=ROOT / "inputs", outputs=Path(temp), pdf=False))
        folder = Path(temp) / str(year)
        attachments = [(name, (folder / name).read_bytes()) for name in (f"report-{year}.json", f"data-{year}.xlsx")]
    page = build.LanguagePage(result.model, ENGLISH, load_thresholds(None))  # the charts with it
    return Report(page.html(for_pdf=True), attachments, result.model.report_date)


# -- rendering as reportgen does, with or without whole-run SVG text ---------------------------

def _svgtext_installed() -> bool:
    import weasyprint.svg as svg_module

    from reportgen.render import svgtext
    return svg_module.TAGS.get("text") is svgtext._whole_text  # noqa: SLF001


@contextmanager
def letter_by_letter() -> Iterator[None]:
    """WeasyPrint's own SVG text (one code point at a time) inside the block: reportgen.render.svgtext
    uninstalled, installed again after. Inside it, render with `weasyprint_html()` and `render.pdf_options()`,
    never with `render.render_pdf` (it installs svgtext again)."""
    from reportgen.render import report as render
    from reportgen.render import svgtext
    render.import_weasyprint()
    svgtext.uninstall()
    try:
        if _svgtext_installed():
            raise RuntimeError("reportgen.render.svgtext is still installed")
        yield
    finally:
        svgtext.install()


def weasyprint_html(html: str) -> Any:
    """`weasyprint.HTML` as `render.render_pdf` makes it (base URL, the project-only fetcher)."""
    import weasyprint

    from reportgen.render import report as render
    return weasyprint.HTML(string=html, base_url=str(render.TEMPLATES_DIR) + "/",
                           url_fetcher=render._fetcher_class()())  # noqa: SLF001


def render_pdf(html: str, variant: str | None = "pdf/ua-1", attachments: list[tuple[str, bytes]] | None = None,
               date: str | None = None, letters: bool = False) -> bytes:
    """`render.render_pdf`, with reportgen.render.svgtext installed as it is, or (`letters`) without."""
    from reportgen.render import report as render
    if not letters:
        return render.render_pdf(html, variant, attachments, date)
    with letter_by_letter():
        return weasyprint_html(html).write_pdf(**render.pdf_options(variant, attachments, date))


# -- the variants -----------------------------------------------------------------------------

def _style(html: str) -> str:
    match = re.search(r"<style>\n?(.*?)</style>", html, re.S)
    return match.group(1) if match else ""


def css_replace(old: str, new: str = "") -> Callable[[str], str]:
    def change(html: str) -> str:
        css = _style(html)
        if old not in css:
            raise LookupError(f"not in the stylesheet: {old}")
        return html.replace(css, css.replace(old, new), 1)
    return change


def css_regex(pattern: str, new: str | Callable[[re.Match[str]], str]) -> Callable[[str], str]:
    def change(html: str) -> str:
        css = _style(html)
        changed, count = re.subn(pattern, new, css)
        if not count:
            raise LookupError(f"no match in the stylesheet: {pattern}")
        return html.replace(css, changed, 1)
    return change


def css_append(extra: str) -> Callable[[str], str]:
    def change(html: str) -> str:
        return html.replace("</style>", extra + "\n</style>", 1)
    return change


def drop_elements(pattern: str) -> Callable[[str], str]:
    def change(html: str) -> str:
        changed, count = re.subn(pattern, "", html, flags=re.S)
        if not count:
            raise LookupError(f"no element matches {pattern}")
        return changed
    return change


def each_svg(change_svg: Callable[[str], str]) -> Callable[[str], str]:
    """Apply `change_svg` to every chart, inline `<svg>` or `data:image/svg+xml;base64` image."""
    def change(html: str) -> str:
        def inline(match: re.Match[str]) -> str:
            return change_svg(match.group(0))

        def encoded(match: re.Match[str]) -> str:
            svg = base64.b64decode(match.group(1)).decode("utf-8")
            return "data:image/svg+xml;base64," + base64.b64encode(change_svg(svg).encode("utf-8")).decode("ascii")

        changed, inline_count = re.subn(r"<svg\b.*?</svg>", inline, html, flags=re.S)
        changed, encoded_count = re.subn(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", encoded, changed)
        if not inline_count + encoded_count:
            raise LookupError("no chart")
        return changed
    return change


def without_svg_text(svg: str) -> str:
    return re.sub(r"<text\b[^>]*>.*?</text>", "", svg, flags=re.S)


def chain(*changes: Callable[[str], str]) -> Callable[[str], str]:
    def change(html: str) -> str:
        for one in changes:
            html = one(html)
        return html
    return change


def same(html: str) -> str:
    return html


def with_svgtext(html: str) -> str:
    """The HTML unchanged, if reportgen.render.svgtext installs here (else there is nothing to undo)."""
    from reportgen.render import svgtext
    if not svgtext.supported():
        raise LookupError("reportgen.render.svgtext does not install on this WeasyPrint: the build draws letter by letter")
    return html


# name: (change to the HTML, render options differing from the build's: `variant` (the PDF
# variant, None for untagged), `attachments` (False: none), `letters` (True: reportgen.render.svgtext
# uninstalled), `gc` (True: cyclic garbage collection left on during the render))
VARIANTS: dict[str, tuple[Callable[[str], str], dict]] = {
    "as built (pdf/ua-1, attachments)": (same, {}),
    "untagged (no pdf_variant)": (same, {"variant": None}),
    "pdf/a-3b instead of pdf/ua-1": (same, {"variant": "pdf/a-3b"}),
    "no attachments": (same, {"attachments": False}),
    "charts left out": (drop_elements(r'<figure class="chart".*?</figure>'), {}),
    "WeasyPrint's own SVG text, letter by letter (reportgen/render/svgtext.py uninstalled)": (with_svgtext, {"letters": True}),
    "SVG text removed (upper bound for fewer chart labels)": (each_svg(without_svg_text), {}),
    "no tr { break-inside: avoid }": (css_replace("tr { break-inside: avoid; }"), {}),
    "no thead { display: table-header-group }": (css_replace("thead { display: table-header-group; }"), {}),
    "no h2, h3, h4 { break-after: avoid }": (css_replace("h2, h3, h4 { break-after: avoid; }"), {}),
    "no TOC leaders and page numbers": (css_regex(r"@media print \{ \.toc a::after \{[^}]*\} \}", ""), {}),
    "page footer without 'of N'": (css_replace('" of " counter(pages)', ""), {}),
    "no running chapter header (string-set)": (css_regex(r"string-set: chapter content\(\);", ""), {}),
    "cyclic garbage collection left on (reportgen/util/gcpause.py not used)": (same, {"gc": True}),
    "TOC leaders spaced, leader('. ')": (css_replace('leader(".")', 'leader(". ")'), {}),
    "no status icons in the KPI tables": (drop_elements(r'<span aria-hidden="true">[●◐○–]</span> '), {}),
    "no comments or earlier-year status under the KPIs": (
        drop_elements(r'<span class="(?:comment|history)"[^>]*>.*?</span>(?:</span>)?'), {}),
    "no 'high priority' label for screen readers on the ★": (drop_elements(r'<span class="sr">[^<]*</span>'), {}),
    "table-layout: fixed on every table": (css_append("table { table-layout: fixed; }"), {}),
    "border-collapse: separate": (css_append("table { border-collapse: separate; border-spacing: 0; }"), {}),
    "no coloured row borders (tr.status > th)": (css_regex(r"tr\.[a-z-]+ > th \{ border-left: [^}]*\}\n", ""), {}),
}


# -- measuring --------------------------------------------------------------------------------

def render_once(html: str, options: dict, report: Report) -> tuple[float, float, int, int]:
    """(CPU seconds for parse+style+layout, CPU seconds for the PDF write, pages, bytes), rendered
    as `render.render_pdf` renders, in two timed steps."""
    from contextlib import nullcontext

    from reportgen.render import report as render
    from reportgen.render import svgtext
    render.import_weasyprint()  # as render_pdf does: reportgen.render.svgtext installed
    if svgtext.supported() and not _svgtext_installed():
        raise RuntimeError("reportgen.render.svgtext is not installed: not the PDF the build renders")
    from reportgen.util.gcpause import collection_paused

    options = {"variant": "pdf/ua-1", "attachments": True, "letters": False, "gc": False, **options}
    with letter_by_letter() if options["letters"] else nullcontext(), \
            nullcontext() if options["gc"] else collection_paused():
        start = time.process_time()
        rendered = weasyprint_html(html).render()
        laid_out = time.process_time()
        pdf = rendered.write_pdf(**render.pdf_options(options["variant"], report.attachments if options["attachments"] else None,
                                               report.date))
        written = time.process_time()
    return laid_out - start, written - laid_out, len(rendered.pages), len(pdf)


def count_calls(html: str, options: dict, report: Report) -> int:
    """Python function calls made by one render: a measure of work that, unlike time, does not
    move with the machine's load (WeasyPrint is pure Python over Pango and HarfBuzz)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    render_once(html, options, report)
    profiler.disable()
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]


def profile_summary(html: str, report: Report) -> list[tuple[str, float]]:
    """cProfile of one render, own time grouped by WeasyPrint subpackage (and other libraries)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    render_once(html, {}, report)
    profiler.disable()
    groups: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        name = filename.split("site-packages/")[-1]
        if name.startswith("weasyprint/"):
            parts = name.split("/")
            group = "/".join(parts[:2]) if len(parts) > 2 else name
        elif name == "~":
            group = "built-in functions (C: Pango and HarfBuzz calls via cffi, zlib, str/dict methods)"
        else:
            group = name.split("/")[0] or "other"
        groups[group] = groups.get(group, 0.0) + own
    total = sum(groups.values())
    return [(name, seconds / total) for name, seconds in sorted(groups.items(), key=lambda x: -x[1])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated variant names (substring match)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--calls", action="store_true",
                        help="also count Python calls per variant (one profiled render each): load-proof")
    parser.add_argument("--html", type=Path, default=None, help="experiment on this HTML instead")
    args = parser.parse_args(argv)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    report = sample_report()
    html = args.html.read_text(encoding="utf-8") if args.html else report.html
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    names = [n for n in VARIANTS if not wanted or any(w in n for w in wanted)]
    names = names if names[:1] == [next(iter(VARIANTS))] else [next(iter(VARIANTS))] + names  # the baseline first
    documents: dict[str, str] = {}
    for name in names:
        change, _ = VARIANTS[name]
        try:
            documents[name] = change(html)
        except LookupError as exc:
            print(f"skipped '{name}': {exc} (does not apply)", file=sys.stderr)
    render_once(html, {}, report)  # warm-up: fonts, caches, lazy imports
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in documents}
    facts: dict[str, tuple[int, int]] = {}
    for run in range(args.runs):
        for name, document in documents.items():
            layout, write, pages, size = render_once(document, VARIANTS[name][1], report)
            times[name].append((layout, write))
            facts[name] = (pages, size)
            print(f"run {run + 1}: {name}: {layout + write:.2f} s", file=sys.stderr)
    calls = {name: count_calls(document, VARIANTS[name][1], report) for name, document in documents.items()} \
        if args.calls else {}
    # The fastest run of each: other people's work on a shared machine only ever adds time.
    base = next(iter(documents))
    base_total = min(a + b for a, b in times[base])
    rows = []
    for name in documents:
        layout = min(a for a, _ in times[name])
        write = min(b for _, b in times[name])
        total = min(a + b for a, b in times[name])
        rows.append({"variant": name, "layout_cpu_s": round(layout, 3), "write_cpu_s": round(write, 3),
                     "total_cpu_s": round(total, 3),
                     "median_total_cpu_s": round(statistics.median(a + b for a, b in times[name]), 3),
                     "saving_s": round(base_total - total, 3),
                     "saving_pct": round(100 * (base_total - total) / base_total, 1),
                     "pages": facts[name][0], "pdf_bytes": facts[name][1],
                     "python_calls": calls.get(name)})
    result = {"measured": time.strftime("%Y-%m-%d %H:%M:%S"), "runs": args.runs, "rows": rows}
    base_calls = calls.get(base)
    lines = ["| variant | style+layout (CPU s) | PDF write (CPU s) | total (CPU s) | median total | saving | "
             "Python calls (M) | fewer calls | pages | PDF size |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        n = r["python_calls"]
        lines.append(f"| {r['variant']} | {r['layout_cpu_s']:.2f} | {r['write_cpu_s']:.2f} | "
                     f"{r['total_cpu_s']:.2f} | {r['median_total_cpu_s']:.2f} | "
                     f"{r['saving_s']:+.2f} s ({r['saving_pct']:+.0f} %) | "
                     + (f"{n / 1e6:.2f} | {100 * (base_calls - n) / base_calls:+.1f} % | " if n and base_calls else "– | – | ")
                     + f"{r['pages']} | {r['pdf_bytes'] / 1024:.0f} KB |")
    if args.profile:
        summary = profile_summary(html, report)
        result["profile"] = [{"group": g, "share": round(s, 4)} for g, s in summary]
        lines += ["", "Own CPU time of one render of the report as built, by where it is spent (cProfile):", "",
                  "| code | share |", "|---|---:|"]
        lines += [f"| {g} | {100 * s:.1f} % |" for g, s in summary[:15]]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pdf-experiments.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "pdf-experiments.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
