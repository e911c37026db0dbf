"""One measurement, run by bench/run.py in a fresh process of its own; prints one JSON object.

    .venv/bin/python bench/measure.py stages    --year 2009 --runs 5
    .venv/bin/python bench/measure.py ingest    --dir DIR --year 2009 --mode parallel|serial|pipeline [--workers N]
    .venv/bin/python bench/measure.py baseline  --dir DIR --year 2009
    .venv/bin/python bench/measure.py threshold --dir DIR --year 2009 --counts 4,8,16,32,64 --runs 3

Each prints its timings (wall clock and CPU seconds of this process and of its children) and
the peak resident memory of this process and of its largest child (`ru_maxrss`); the whole
process tree's peak is sampled from outside by bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def memory() -> dict[str, float]:
    return {"maxrss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "maxrss_largest_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def quiet_logging() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


# -- the sample build, stage by stage ---------------------------------------------------------

def stages(args: argparse.Namespace) -> dict[str, Any]:
    """`build.build()` `--runs` times in this process (the first pays for the imports)."""
    quiet_logging()
    from reportgen.pipeline.build import Options, build

    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as temp:
            wall, cpu = time.perf_counter(), cpu_seconds()
            result = build(args.year, Options(inputs=ROOT / "inputs", outputs=Path(temp)))
            runs.append({"wall_s": time.perf_counter() - wall, "cpu_s": cpu_seconds() - cpu,
                         "stages": dict(result.timings.stages),
                         "outputs": sorted(p.name for p in result.written)})
    return {"runs": runs, **memory()}


# -- ingest at scale ----------------------------------------------------------------------------

def ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Read and validate one year folder: with reportgen.pipeline.workers (all cores, or --workers),
    serially through the same function, or through build.read_year as a build does."""
    from reportgen.pipeline import ingest as ingest_module
    from reportgen.pipeline import workers as parallel
    from reportgen.pipeline import validate
    from reportgen.plan.loader import load_plan

    plan = load_plan(None)
    year_dir = Path(args.dir) / str(args.year)
    wall, cpu = time.perf_counter(), cpu_seconds()
    if args.mode == "pipeline":
        from reportgen.pipeline.build import Timings, read_year

        timings = Timings()
        data, paths = read_year(args.year, Path(args.dir), plan, ingest_module.Limits(), None, timings)
        read_s, validate_s = timings.stages.get("ingest", 0.0), timings.stages.get("validate", 0.0)
        workers = 1
    else:
        paths, problems = ingest_module.find_workbooks(year_dir)
        workers = 1 if args.mode == "serial" else parallel.worker_count(len(paths), args.workers)
        results = parallel.read_workbooks(paths, year_dir, ingest_module.Limits(), workers=workers)
        workbooks = []
        for workbook, read_problems in results:
            problems += read_problems
            if workbook is not None:
                workbooks.append(workbook)
        read_s = time.perf_counter() - wall
        started = time.perf_counter()
        data = validate.validate_year(args.year, workbooks, problems, plan, None)
        validate_s = time.perf_counter() - started
    total = time.perf_counter() - wall
    rows = len(data.kpis) + sum(p.severity == "error" and p.row is not None for p in data.problems)
    return {"mode": args.mode, "workers": workers, "files": len(paths), "kpi_rows": rows,
            "valid_kpis": len(data.kpis), "errors": sum(p.severity == "error" for p in data.problems),
            "read_s": read_s, "validate_s": validate_s, "total_s": total,
            "cpu_s": cpu_seconds() - cpu, **memory()}


def baseline(args: argparse.Namespace) -> dict[str, Any]:
    """The comparison: pandas.read_excel(engine="openpyxl") on every workbook, one after another,
    every sheet, no header (as ingest reads), nothing validated."""
    import warnings

    import pandas as pd

    year_dir = Path(args.dir) / str(args.year)
    paths = sorted(year_dir.rglob("*.xlsx"))
    wall, cpu = time.perf_counter(), cpu_seconds()
    cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl", dtype=object,
                                   na_filter=False)
            cells += sum(frame.size for frame in frames.values())
    return {"files": len(paths), "cells": cells, "read_s": time.perf_counter() - wall,
            "cpu_s": cpu_seconds() - cpu, **memory()}


def threshold(args: argparse.Namespace) -> dict[str, Any]:
    """Serial against a pool of every core, for small numbers of files (after a warm-up)."""
    from reportgen.pipeline import ingest as ingest_module
    from reportgen.pipeline import workers as parallel
    year_dir = Path(args.dir) / str(args.year)
    paths, _ = ingest_module.find_workbooks(year_dir)
    limits = ingest_module.Limits()
    parallel.read_workbooks(paths[:4], year_dir, limits, workers=1)  # imports and caches
    cores = parallel.available_cores()
    rows = []
    for count in (int(c) for c in args.counts.split(",")):
        subset = paths[:count]
        timing: dict[str, list[float]] = {"serial": [], "pool": []}
        for _ in range(args.runs):
            for mode, workers in (("serial", 1), ("pool", cores)):
                started = time.perf_counter()
                parallel.read_workbooks(subset, year_dir, limits, workers=workers)
                timing[mode].append(time.perf_counter() - started)
        rows.append({"files": len(subset), "workers": cores,
                     "serial_s": statistics.median(timing["serial"]),
                     "pool_s": statistics.median(timing["pool"])})
    return {"rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("stages")
    p.add_argument("--year", type=int, default=2009)
    p.add_argument("--runs", type=int, default=5)
    p = sub.add_parser("ingest")
    p.add_argument("--dir", required=True)
    p.add_argument("--year", type=int, default=2009)
    p.add_argument("--mode", choices=("parallel", "serial", "pipeline"), default="parallel")
    p.add_argument("--workers", type=int, default=None)
    p = sub.add_parser("baseline")
    p.add_argument("--dir", required=True)
    p.add_argument("--year", type=int, default=2009)
    p = sub.add_parser("threshold")
    p.add_argument("--dir", required=True)
    p.add_argument("--year", type=int, default=2009)
    p.add_argument("--counts", default="4,8,16,32,64")
    p.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    result = {"stages": stages, "ingest": ingest, "baseline": baseline, "threshold": threshold}[args.what](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
