"""Write the illustrative 2010 sample returns: partial and provisional, as PP-10 saw them.

    python scripts/make_samples_2010.py [--out inputs]

writes `<out>/2010/` with `BR_2010.xlsx`, `TSB_2010.xlsx`, `BDT_2010.xlsx` and `GS_2010.xlsx`, so
that the plan-period assessment (`reportgen assess --period 2008-2011`) has three years to
show. The Plenipotentiary Conference met in October 2010: the 2010 returns are those of July
2010, marked `Data status: illustrative, draft` (draft: provisional). About a third of the
actuals are not yet available; the others, and the finance figures, are the Bureaux' estimates
for the year. Like
the 2008 and 2009 samples (`scripts/make_samples.py`, whose catalogue, budgets and workbook
writer this script reuses), the figures are invented and the output is deterministic.

What 2010 shows in the assessment (each listed below in the tables that make it):
- KPIs that stop after 2009 (`STOPPED`): a break at the end of their series;
- KPIs that start in 2010 (`STARTED`): a break at the start, and names that appear only once;
- a renamed KPI (`RENAMED`): its old name stops and its new name appears only once; the
  assessment's annex names both, so the renaming does not pass silently;
- a KPI met by a wide margin every year (`PROFILE`, `W`), a lesson for the next plan's targets;
- an output with money spent and none of its KPIs reported yet (R-09), another lesson;
- KPIs not achieved for the third year running (`PROFILE`, `N`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

YEAR = 2010
BASE_YEAR = 2009  # the targets of 2010 follow on from 2009's
RETURN_DATE = dt.date(2010, 7, 30)
DATA_STATUS = "illustrative, draft"  # both words of the format's list: sample data, not final
NOT_YET_REPORTED = 0.3  # share of the other actuals not available in July
WIDE_RANGE = (1.25, 1.4)  # achievement of the KPIs met by a wide margin

# (output, KPI) no longer in the 2010 returns.
STOPPED = {
    ("D-01", "Regional preparatory meetings held"),  # WTDC-10 met in May 2010
    ("INT-06", "Member States represented at WTPF-09"),
    ("INT-06", "Opinions adopted"),
}
# New in 2010: output -> [(KPI, unit, target, baseline, lower is better)].
STARTED: dict[str, list[tuple[str, str, float, float | None, bool]]] = {
    "D-01": [("WTDC-10 delegates registered", "number", 1000, None, False)],
    "R-01": [("WRC-12 CPM report chapters drafted", "number", 6, None, False)],
    "INT-01": [("PP-10 delegations registered", "number", 150, None, False)],
}
# (output, old name) -> the name the 2010 return uses.
RENAMED = {("R-06", "Titles available online"): "ITU-R titles available online"}
# (output, KPI) -> its 2010 status: A achieved, P partially, N not achieved, - not reported,
# W achieved by a wide margin. The others are drawn.
PROFILE = {
    ("R-02", "Administrations assisted with GE06 implementation"): "W",
    ("R-03", "Average processing time of space notices"): "N",
    ("R-09", "Study Group Questions reviewed for the next Assembly"): "-",
    ("R-09", "Assembly preparatory documents issued on time"): "-",
    ("R-11", "SMS4DC licences delivered to developing countries"): "N",
    ("T-04", "Recommendations approved"): "A",
    ("T-04", "Participants from developing countries"): "N",
    ("T-07", "New Sector Members and Associates"): "N",
    ("D-02", "Participants from LDCs"): "N",
    ("D-04", "Funds mobilized for initiatives"): "N",
    ("INT-01", "Member States ratifying the PP-06 instruments"): "N",
    ("INT-01", "PP-10 delegations registered"): "-",
    ("INT-07", "Contributions received on the ITRs"): "N",
}

PROPOSALS: dict[str, list[tuple[str, str, str]]] = {
    "BR": [("RAG", "R-05", "Publish the draft CPM Report chapters as soon as each is agreed.")],
    "TSB": [("TSAG", "T-12", "Report Bridging the Standardization Gap results by region.")],
    "BDT": [("WTDC-10", "D-04", "Align the regional initiatives with the Hyderabad Action Plan."),
            ("TDAG", "", "Carry the KPIs of the Hyderabad Action Plan into the 2012-2015 plan.")],
    "GS": [("Council 2010", "", "Base the 2012-2015 plan on results-based management, "
                               "with a baseline for every indicator.")],
}
HIGHLIGHTS: dict[str, list[tuple[str, str]]] = {
    "BR": [("R-01", "CPM11-2 preparations under way: draft chapters circulated.")],
    "TSB": [("T-04", "Study groups restructured by WTSA-08 fully operational.")],
    "BDT": [("D-01", "WTDC-10 held in Hyderabad, adopting the Hyderabad Action Plan.")],
    "GS": [("INT-01", "Preparations for PP-10 in Guadalajara completed on schedule.")],
}


def _load_base() -> Any:
    """scripts/make_samples.py: its catalogue, budgets and workbook writer."""
    if "make_samples" in sys.modules:
        return sys.modules["make_samples"]
    path = Path(__file__).resolve().with_name("make_samples.py")
    spec = importlib.util.spec_from_file_location("make_samples", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


ms = _load_base()
from reportgen import format  # noqa: E402  (the workbook format, as scripts/make_samples.py writes it)


def target_2010(kpi: Any) -> float | None:
    """2009's target raised a little where higher is better; None if the KPI stopped."""
    target = kpi.target_in(BASE_YEAR)
    if target is None:
        return None
    if kpi.lower:
        return target
    if kpi.unit == "%":
        return min(100, target + 2)
    raised = target * 1.05
    return round(raised, 1) if isinstance(target, float) and not float(target).is_integer() else max(
        int(round(raised)), int(target) + 1)


def _wide_actual(kpi: Any, target: float, rng: random.Random) -> float | int:
    wanted = rng.uniform(*WIDE_RANGE)
    base = kpi.baseline
    value = base + wanted * (target - base) if base is not None else wanted * target
    return int(round(value))


def _catalogue(bureau: str) -> list[tuple[str, int, Any]]:
    """(output code, index in its output's catalogue, Kpi) of the bureau's 2010 return, in the
    plan's order. The index picks the objectives a KPI measures, as in the earlier years."""
    entries = []
    for code in ms.outputs_of(bureau):
        catalogue = ms.CATALOGUE[code]
        for index, kpi in enumerate(catalogue):
            if (code, kpi.name) in STOPPED or kpi.target_in(BASE_YEAR) is None:
                continue
            entries.append((code, index, kpi))
        for offset, (name, unit, target, baseline, lower) in enumerate(STARTED.get(code, [])):
            entries.append((code, len(catalogue) + offset, ms.Kpi(name, unit, target, baseline=baseline, lower=lower)))
    return entries


def build(bureau: str) -> Any:
    """The sheets of one bureau's 2010 return."""
    sector, _, office, seed_base, sector_title = ms.BUREAUX[bureau]
    rng = random.Random(seed_base * 10000 + YEAR)
    header = list(ms.KPI_HEADER)
    rows: list[list[Any]] = [[f"{sector_title} key performance indicators, {YEAR} (illustrative, "
                              "provisional: figures of July 2010)"], [], header]
    started = {(code, name) for code, items in STARTED.items() for name, *_ in items}
    for code, index, kpi in _catalogue(bureau):
        new = (code, kpi.name) in started
        target = kpi.target if new else target_2010(kpi)
        wanted = PROFILE.get((code, kpi.name))
        if wanted is None:
            wanted = "-" if rng.random() < NOT_YET_REPORTED else rng.choices("APN", weights=(45, 40, 15))[0]
        if wanted == "-":
            actual, comment = None, "Figure for the year not yet available"
        elif wanted == "W":
            actual, comment = _wide_actual(kpi, target, rng), "Well ahead of target"
        else:
            actual = ms.draw_actual(kpi, target, wanted, rng)
            comment = rng.choice(ms.COMMENTS[wanted]) if rng.random() < ms.COMMENT_CHANCE[wanted] else None
            if comment is None and wanted == "N" and kpi.profile == "NN":
                comment = "Not achieved for the third year running"
        values = {
            "Output": code,
            "KPI": RENAMED.get((code, kpi.name), kpi.name),
            "Unit": kpi.unit,
            "Baseline": kpi.baseline,
            "Target": target,
            "Actual": ms.as_cell(actual, kpi.unit, kpi.fmt, rng) if actual is not None else None,
            "Direction": "lower" if kpi.lower else "higher",
            "Comment": comment,
            "Objective": ms.measured_objectives(code, index),
        }
        rows.append([values.get(column) for column in header])

    finance: list[list[Any]] = [list(format.FINANCE.headers(ms.SAMPLE_VERSION))]
    for code in ms.outputs_of(bureau):
        planned = ms.BUDGETS[code]
        planned = planned[-1] if isinstance(planned, tuple) else planned
        budget = int(round(planned * rng.uniform(0.96, 1.04), -1))
        finance.append([code, budget, int(round(budget * rng.uniform(0.84, 1.04)))])

    about_values = {"bureau": bureau, "year": YEAR, "prepared_by": office, "date": RETURN_DATE,
                    "data_status": DATA_STATUS}
    about = [[c.header, about_values[c.field]] for c in format.ABOUT.columns if c.field in about_values]
    proposals = [list(format.PROPOSALS.headers(ms.SAMPLE_VERSION))] + [
        [source, refers or None, text, proposal_ref(bureau, index)]
        for index, (source, refers, text) in enumerate(PROPOSALS[bureau])]
    highlights = [list(format.HIGHLIGHTS.headers(ms.SAMPLE_VERSION))] + [[r or None, t] for r, t in HIGHLIGHTS[bureau]]
    # No Financial situation sheet: the General Secretariat gives it with the year's final return.
    return ms.Sheets(about=about, kpis=rows, finance=finance, proposals=proposals, highlights=highlights,
                     financial=[])


def proposal_ref(bureau: str, index: int) -> str:
    """The `index`-th proposal's reference, numbered per body across the 2010 returns (TDAG/2010/2)."""
    source = PROPOSALS[bureau][index][0]
    order = list(ms.BUREAUX)
    before = [s for b in order[:order.index(bureau)] for s, _, _ in PROPOSALS[b]]
    before += [s for s, _, _ in PROPOSALS[bureau][:index]]
    prefix = {"Council 2010": "C10"}.get(source, ms.REF_PREFIXES.get(source, source))
    return f"{prefix}/{YEAR}/{before.count(source) + 1}"


def check_names() -> None:
    """Every KPI named above is in scripts/make_samples.py's catalogue (or starts in 2010): a
    KPI renamed or dropped there must not silently change what 2010 shows."""
    known = {(code, kpi.name) for code, kpis in ms.CATALOGUE.items() for kpi in kpis}
    known |= {(code, name) for code, items in STARTED.items() for name, *_ in items}
    unknown = sorted(key for key in {*STOPPED, *RENAMED, *PROFILE} if key not in known)
    if unknown:
        raise SystemExit(f"make_samples_2010: not in the catalogue of make_samples.py: {unknown}")


def generate(out: Path | str) -> list[Path]:
    """Write the four 2010 workbooks under `out/2010/`; returns their paths."""
    check_names()
    folder = Path(out) / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for bureau in ms.BUREAUX:
        path = folder / ms.file_name(bureau, YEAR)
        path.write_bytes(ms.workbook_bytes(build(bureau), bureau))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="inputs", help="folder that holds the year folders (default: inputs)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
