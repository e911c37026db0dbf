"""The whole 2009 sample report as text, compared with a reviewed copy kept in the repository
(tests/snapshots/report-2009.txt), in the way pelican's functional tests compare whole outputs:
any change to the document, intended or not, shows up here as a readable unified diff.

The text is the English HTML's, normalised: one block (heading, paragraph, list item, table
row) per line, headings marked with `#`s, table cells joined by ` | `, white space folded, the
document's date replaced by `<build date>`. Charts count through their text alternative and
the numbers behind them, not their drawing (tests/test_chart_images.py reads the drawings).

After reviewing the diff, `make snapshot` takes the document's new text as the reviewed copy.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "snapshots" / "report-2009.txt"
SHOWN_DIFF_LINES = 400
# Elements whose content is not the document's text: the head (title, metadata, styles) and the
# charts' drawings.
SKIPPED = {"head", "style", "script", "template", "svg"}
BLOCKS = {"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl",
          "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "nav", "ol",
          "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"}
HEADINGS = {f"h{level}": "#" * level for level in range(1, 7)}
STYLESHEET = ROOT / "templates" / "report.css"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# The cover's date line: the build's date, not the document's content.
# The cover's date: "Date | …" in a table row, or "Date" and the date on the next line (a list).
DATE_LINE = re.compile(r"^Date(?: \||\n).*$", re.M)


def boxed_classes(css: str) -> frozenset[str]:
    """Classes that the stylesheet sets apart in a box of their own (`display: block` and the
    like, e.g. a KPI's comment under its name): their text is a separate word even where the
    HTML has no space around it."""
    classes: set[str] = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"display\s*:\s*(block|inline-block|flex|grid|list-item)", body):
            for selector in selectors.split(","):
                classes.update(re.findall(r"\.([\w-]+)\s*$", selector.strip()))
    return frozenset(classes)


class DocumentText(HTMLParser):
    """An HTML page's text, one block per line (see the module's docstring)."""

    def __init__(self, boxed: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.boxed = boxed
        self._boxes: list[str] = []
        self.lines: list[str] = []
        self._words: list[str] = []
        self._prefix = ""
        self._cells = 0
        self._skipping: list[str] = []

    def _end_block(self) -> None:
        line = " ".join("".join(self._words).split())
        if line:
            self.lines.append(f"{self._prefix} {line}" if self._prefix else line)
        self._words, self._prefix = [], ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skipping.append(tag)
        if self._skipping:
            return
        if tag in BLOCKS or tag in HEADINGS:
            self._end_block()
            self._prefix = HEADINGS.get(tag, "")
            self._cells = 0
        elif tag in {"td", "th"}:
            if self._cells:
                self._words.append(" | ")
            self._cells += 1
        elif tag not in VOID and self.boxed.intersection((dict(attrs).get("class") or "").split()):
            self._words.append(" ")
            self._boxes.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in BLOCKS or tag in HEADINGS:
            self._end_block()
        elif self._boxes and tag == self._boxes[-1]:
            self._boxes.pop()
            self._words.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._words.append(data)

    def close(self) -> None:
        super().close()
        self._end_block()


def document_text(html: str, css: str = "") -> str:
    parser = DocumentText(boxed_classes(css))
    parser.feed(html)
    parser.close()
    return DATE_LINE.sub("Date | <build date>", "\n".join(parser.lines)) + "\n"


def test_the_report_text_is_the_reviewed_one(built: dict, request: pytest.FixtureRequest) -> None:
    text = document_text(built["html"], STYLESHEET.read_text(encoding="utf-8"))
    assert "Date | <build date>" in text, "the cover's date line was not found: update DATE_LINE"
    if request.config.getoption("--update-snapshot"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
        return
    if not SNAPSHOT.is_file():
        pytest.fail(f"no reviewed copy at {SNAPSHOT.relative_to(ROOT)}: run `make snapshot`, read the file "
                    "and commit it", pytrace=False)
    reviewed = SNAPSHOT.read_text(encoding="utf-8")
    if text != reviewed:
        diff = list(difflib.unified_diff(reviewed.splitlines(), text.splitlines(), lineterm="", n=2,
                                         fromfile=f"{SNAPSHOT.relative_to(ROOT)} (reviewed)",
                                         tofile="report-2009.html (as built now)"))
        shown = "\n".join(diff[:SHOWN_DIFF_LINES])
        more = (f"\n... {len(diff) - SHOWN_DIFF_LINES} more diff lines (`make snapshot` then `git diff` "
                "shows them all)") if len(diff) > SHOWN_DIFF_LINES else ""
        pytest.fail(f"the report's text differs from the reviewed copy:\n{shown}{more}\n\n"
                    "If every change above is intended, run `make snapshot` and commit "
                    f"{SNAPSHOT.relative_to(ROOT)} with the change.", pytrace=False)


def test_blocks_and_tables_come_out_one_per_line() -> None:
    html = ("<html><head><title>T</title><style>p { color: red }</style></head><body>"
            "<h2>Sec\u00a0tion <span>one</span></h2><p>A  first\n paragraph <em>with</em> words.</p>"
            "<figure><svg><text>drawn</text></svg><p class='alt'>Described</p></figure>"
            "<table><tr><th>KPI</th><th>Target</th></tr><tr><td>Reports<span class='note'>late</span></td>"
            "<td>1,250</td></tr></table>"
            "<table><tr><td>Date</td><td>15 January 2010</td></tr></table></body></html>")
    css = ":root { --x: 1 } td .note, .other { display: block; color: grey }"
    assert document_text(html, css) == ("## Sec tion one\nA first paragraph with words.\nDescribed\n"
                                        "KPI | Target\nReports late | 1,250\nDate | <build date>\n")
