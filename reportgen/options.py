"""What a build is asked to do: the command line's choices, in one frozen object.

Kept apart from `build` so that the command line and the rebuild cache can use it without
importing the pipeline: a build that has nothing to do stops before that import, and one that
has starts its PDF workers first (`parallel.PdfPool`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.bureau.xlsxscan import Limits


@dataclass(frozen=True)
class Options:
    inputs: Path = Path("inputs")
    outputs: Path = Path("outputs")
    strict: bool = False
    plan_file: Path | None = None
    rules_file: Path | None = None
    limits: Limits = field(default_factory=Limits)
    pdf: bool = True
    pdf_variant: str | None = "pdf/ua-1"
    document_number: str | None = None
    council: str | None = None
    languages: tuple[str, ...] = ("en",)
