"""reportgen: the Secretary-General's annual progress report on the ITU Strategic Plan.

For analysts: `reportgen.tables(inputs, years)` gives the checked returns of some years joined
with the plan, as pandas DataFrames (docs/analysis.md). pandas is imported only when it is called.
"""

from __future__ import annotations

import os
from os import PathLike

# openpyxl switches to lxml whenever lxml is importable (the PDF/UA test checker brings it in).
# reportgen keeps it on the standard library with defusedxml, as measured in the stack notes:
# entity declarations in an untrusted workbook are refused outright, and the workbooks we write
# are the same bytes whatever else is installed.
os.environ.setdefault("OPENPYXL_LXML", "False")
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from reportgen.pipeline.frames import Tables

__version__ = "0.1.0"


def tables(inputs: str | PathLike[str] = "inputs", years: Iterable[int] | str | None = None, *,
           plan: str | PathLike[str] | None = None, rules: str | PathLike[str] | None = None) -> Tables:
    """The returns of `years` under `inputs`, checked and joined with the plan's codes and texts.

    `years` is a list of years, a period such as "2008-2011" (its years that have a folder), or
    None for every year folder. `plan` is another plan file, `rules` a YAML file of thresholds.
    Returns a `reportgen.pipeline.frames.Tables` whose DataFrames are `kpis`, `kpi_objectives`,
    `finance`, `objectives`, `goals`, `sectors`, `problems`, `proposals`, `highlights`,
    `returns`, and `plan` (the plan's own tables). Rows keep their `file`, `sheet` and `row`.
    Raises a `reportgen.errors.ReportgenError` with a one-line reason when the inputs cannot
    be read."""
    from pathlib import Path

    from reportgen.pipeline.frames import load_tables
    from reportgen.settings import load_thresholds

    return load_tables(Path(inputs), years, Path(plan) if plan else None,
                       load_thresholds(Path(rules) if rules else None))


__all__ = ["tables", "__version__"]
