"""Table header cells tagged with their scope in WeasyPrint 70's PDF structure tree.

PDF/UA-1 (ISO 14289-1, 7.5; Matterhorn checkpoint 15-003) wants every table header cell to say
which cells it heads: a `/Scope` (`/Column`, `/Row` or `/Both`) in its attribute dictionary,
or `/Headers` on the data cells. WeasyPrint 70 writes `/Headers` on each data cell (`/TD`) and
gives each `/TH` an `/ID`, but no `/Scope`, so a checker sees header cells tied to nothing.

`install()` wraps WeasyPrint's `weasyprint.pdf.tags._build_box_tree` (the generator that builds
the structure element of each box, and calls itself through the module for the children):
once the element of a `<th>` is built, the wrapper adds the `/Scope` its HTML `scope` says
(`row` or `rowgroup`: `/Row`; `col`, `colgroup` or none: `/Column`, the reading WeasyPrint
itself gives a header without scope when it builds the data cells' `/Headers`). Nothing else
changes. It patches WeasyPrint's internals, so it only installs on the 70.x series pinned in
requirements.txt and when the function it wraps is there; tests/test_pdfua.py fails if it
stops applying.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)
SUPPORTED_SERIES = "70."
# The wrapped function's parameters, as WeasyPrint 70 defines them: a change means its internals moved.
EXPECTED_PARAMETERS = ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags")
SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}
_ORIGINAL: Any = None


def scope_of(header_cell: Any) -> str:
    """The PDF scope of a `<th>` element, from its HTML `scope` attribute."""
    return SCOPES.get((header_cell.attrib.get("scope") or "").strip().lower(), "/Column")


def _scoped_tree(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any, annotations: Any,
                 tags: Any) -> Iterator[Any]:
    yield from _ORIGINAL(box, parent, pdf, page_number, nums, annotations, tags)
    # WeasyPrint keeps the structure element of each table cell on its box as `mark`; the
    # anonymous boxes inside a cell share its element but get no `mark` of their own.
    element = getattr(box, "mark", None)
    if element is not None and getattr(box, "element_tag", None) == "th" and box.element is not None:
        attributes = element.get("A")
        if attributes is not None and "Scope" not in attributes:
            attributes["Scope"] = scope_of(box.element)


def install() -> bool:
    """Tag header cells with their scope in this process; True if installed."""
    global _ORIGINAL
    import weasyprint
    import weasyprint.pdf.tags as tags_module

    if _ORIGINAL is not None:
        return True
    original = getattr(tags_module, "_build_box_tree", None)
    if (not weasyprint.__version__.startswith(SUPPORTED_SERIES) or original is None
            or tuple(inspect.signature(original).parameters) != EXPECTED_PARAMETERS):
        log.warning("WeasyPrint %s is not the %sx series reportgen was built for: table header cells "
                    "in the PDF carry no /Scope", weasyprint.__version__, SUPPORTED_SERIES)
        return False
    _ORIGINAL = original
    tags_module._build_box_tree = _scoped_tree
    return True


def uninstall() -> None:
    global _ORIGINAL
    import weasyprint.pdf.tags as tags_module

    if _ORIGINAL is None:
        return
    tags_module._build_box_tree = _ORIGINAL
    _ORIGINAL = None
