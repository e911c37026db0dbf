"""What a build is asked to do: the command line's choices, in one frozen object, and the checks
that refuse choices that cannot work before any work is done (`check`).

Kept apart from `build` so that the command line and the rebuild cache can use it without
importing the pipeline: a build that has nothing to do stops before that import, and one that
has starts its PDF workers first (`parallel.PdfPool`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Mapping

from reportgen.bureau.xlsxscan import Limits
from reportgen.errors import ReportgenError

# WeasyPrint's PDF variants (weasyprint.pdf.VARIANTS, version 70), listed here so that a wrong
# `--pdf-variant` is refused before WeasyPrint is even imported; a test compares the two.
PDF_VARIANTS = ("pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u",
                "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4",
                "pdf/x-5g", "debug")
MAX_MEGABYTES = 1_000_000.0  # a terabyte: beyond it a size limit is a typing error


class OptionError(ReportgenError):
    """An option (or SOURCE_DATE_EPOCH) that cannot work; the message names it and says what to give."""


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


def check(options: Options, year: int) -> Options:
    """`options` if a build of `year` can use them, else OptionError: the PDF variant, the
    layout of the inputs and outputs folders, SOURCE_DATE_EPOCH. (Sizes are checked as they
    are read, by `megabytes`.)"""
    check_pdf_variant(options.pdf_variant)
    check_layout(options.inputs, options.outputs, year)
    source_date()
    return options


def megabytes(value: float, option: str) -> int:
    """Bytes from a size in megabytes given as `option`; OptionError unless it is a number
    above 0 (not nan, not infinite)."""
    if not (math.isfinite(value) and 0 < value <= MAX_MEGABYTES):
        raise OptionError(f"{option} {value:g} is not a size: give a number of megabytes above 0, "
                          f"e.g. {option} 25")
    return max(1, int(value * 1e6))


def check_pdf_variant(variant: str | None) -> None:
    if variant is not None and variant not in PDF_VARIANTS:
        raise OptionError(f"--pdf-variant {variant!r} is not a PDF variant: use one of "
                          f"{', '.join(v for v in PDF_VARIANTS if v != 'debug')}")


def check_layout(inputs: Path, outputs: Path, year: int) -> None:
    """OptionError if a build of `year` would read its own outputs as returns or write among
    its inputs: the outputs folder the inputs folder itself or inside one of its year folders
    (every workbook under `inputs/<YEAR>/` is a return, and earlier years are read too), or the
    inputs inside `outputs/<year>/`, the folder each build replaces."""
    source, target = inputs.resolve(), outputs.resolve()
    if source == target:
        raise OptionError(f"--outputs {outputs} and --inputs {inputs} are the same folder: a build would read its "
                          f"own data-{year}.xlsx as a Bureau's return; give --outputs another folder, e.g. outputs")
    if target.is_relative_to(source):
        top = target.relative_to(source).parts[0]
        if re.fullmatch(r"\d{4}", top, re.ASCII):
            raise OptionError(f"--outputs {outputs} is inside the year folder {inputs / top} of --inputs: builds "
                              f"would read their own outputs as returns; give --outputs a folder outside it")
    if source.is_relative_to(target / str(year)):
        raise OptionError(f"--inputs {inputs} is inside {outputs / str(year)}, the folder each build of {year} "
                          f"replaces: move the inputs out of it, or give --outputs another folder")


def source_date(environ: Mapping[str, str] | None = None) -> date | None:
    """The date SOURCE_DATE_EPOCH gives (seconds since 1970-01-01 UTC, for reproducible
    builds), None if it is unset or empty; OptionError if it is not such a number."""
    text = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+", text, re.ASCII):
        try:
            return datetime.fromtimestamp(int(text), timezone.utc).date()
        except (OverflowError, ValueError, OSError):
            pass
    raise OptionError(f"SOURCE_DATE_EPOCH={text[:40]!r} is not a date: give seconds since 1970-01-01 "
                      f"(e.g. 1262304000 for 2010-01-01), or unset it")
