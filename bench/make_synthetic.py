"""Synthetic returns for the ingest benchmarks: many valid workbooks, generated once and cached.

    .venv/bin/python bench/make_synthetic.py [--out bench/.data] [--files 1000] [--rows 200]
                                             [--year 2009] [--workers 2] [--force]

writes `<out>/synthetic-<files>x<rows>/<year>/<BUREAU>_<nnnn>.xlsx`: the files shared out evenly
between the four bureaux (250 each by default), every one valid per contract section 2:

- sheet `About` with Bureau, Year, Prepared by, Date and `Data status: synthetic`;
- sheet `KPIs` with a title row, an empty row, the header on row 3 and `--rows` KPI rows below,
  outputs of the bureau's own sector (by code), KPI names unique per output across all files,
  about one number in ten written as text (`1,250`, `85%`, ` 42 `), some actuals left empty
  (not reported), some `lower` directions and comments;
- sheet `Finance` in the first file of each bureau only (a second finance row for the same
  output would be a duplicate: an error).

Nested size sets (`<out>/synthetic-<files>x<rows>-<N>rows/<year>/`, hard links to the first
files of each bureau) are made for `--subsets` (default 50,000 and 100,000 rows), so the growth
of cost with size can be measured on the very same files.

Generation is deterministic (one seed per file) and runs with openpyxl in write-only mode, spread
over `--workers` processes. A folder that is already complete (its `.complete` stamp matches the
parameters) is left alone, so the benchmark pays for generation once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH_DIR / ".data"
GENERATOR_VERSION = 1  # bump when the content changes, so cached sets are regenerated

# bureau: its sector's outputs (contract section 1)
SECTOR_OUTPUTS: dict[str, list[str]] = {
    "BR": [f"R-{i:02d}" for i in range(1, 13)],
    "TSB": [f"T-{i:02d}" for i in range(1, 13)],
    "BDT": [f"D-{i:02d}" for i in range(1, 14)],
    "GS": [f"INT-{i:02d}" for i in range(1, 9)],
}
BUREAUX = tuple(SECTOR_OUTPUTS)
KPI_HEADER = ["Output", "KPI", "Unit", "Baseline", "Target", "Actual", "Direction", "Comment"]
UNITS = ["documents", "meetings", "%", "days", "participants", "notices", "countries", None]


def file_plan(files: int) -> list[tuple[str, int]]:
    """(bureau, index within the bureau) for every file, the bureaux sharing `files` evenly."""
    return [(BUREAUX[n % len(BUREAUX)], n // len(BUREAUX)) for n in range(files)]


def file_name(bureau: str, index: int) -> str:
    return f"{bureau}_{index:04d}.xlsx"


def _as_text(value: float, rng: random.Random) -> str:
    """A number written as Bureau staff type it: thousands separators, spaces or a percent sign."""
    choice = rng.randrange(3)
    if choice == 0:
        return f"{value:,.0f}"
    if choice == 1:
        return f" {value:g} "
    return f"{value:g}%"


def kpi_rows(bureau: str, index: int, rows: int) -> list[list[object]]:
    rng = random.Random(f"{bureau}-{index}")
    outputs = SECTOR_OUTPUTS[bureau]
    body: list[list[object]] = []
    for row in range(rows):
        output = outputs[row % len(outputs)]
        # Unique within the output across every file of the set: file index and row in the name.
        name = f"Synthetic indicator {index:04d}.{row:03d}"
        lower = rng.random() < 0.15
        baseline = float(rng.randrange(50, 2000)) if rng.random() < 0.7 else None
        if baseline is None:
            target = float(rng.randrange(10, 3000))
        else:
            target = baseline * (0.8 if lower else 1.2)
            target = float(round(target))
        actual: float | None = round(target * rng.uniform(0.3, 1.3), 1)
        if rng.random() < 0.05:
            actual = None  # not reported
        cells: list[object] = [output, name, rng.choice(UNITS), baseline, target, actual,
                               "lower" if lower else ("higher" if rng.random() < 0.5 else None),
                               f"Synthetic comment for row {row}" if rng.random() < 0.2 else None]
        for position in (3, 4, 5):  # about one number in ten as text
            value = cells[position]
            if isinstance(value, float) and rng.random() < 0.1:
                cells[position] = _as_text(value, rng)
        body.append(cells)
    return body


def write_one(folder: str, bureau: str, index: int, rows: int, year: int) -> str:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for key, value in (("Bureau", bureau), ("Year", year), ("Prepared by", "bench/make_synthetic.py"),
                       ("Date", f"{year + 1}-01-15"), ("Data status", "synthetic")):
        about.append([key, value])
    kpis = workbook.create_sheet("KPIs")
    kpis.append([f"{bureau} key performance indicators, {year} (synthetic)"])
    kpis.append([])
    kpis.append(KPI_HEADER)
    for cells in kpi_rows(bureau, index, rows):
        kpis.append(cells)
    if index == 0:
        finance = workbook.create_sheet("Finance")
        finance.append(["Output", "Budget", "Expenditure"])
        rng = random.Random(f"{bureau}-finance")
        for output in SECTOR_OUTPUTS[bureau]:
            budget = rng.randrange(500, 5000)
            finance.append([output, budget, round(budget * rng.uniform(0.6, 1.2))])
    path = Path(folder) / file_name(bureau, index)
    temp = path.with_name(path.name + ".part")
    workbook.save(temp)
    os.replace(temp, path)
    return path.name


def set_dir(out: Path, files: int, rows: int) -> Path:
    return out / f"synthetic-{files}x{rows}"


def subset_dir(out: Path, files: int, rows: int, total_rows: int) -> Path:
    return out / f"synthetic-{files}x{rows}-{total_rows}rows"


def _stamp(files: int, rows: int, year: int) -> str:
    return json.dumps({"version": GENERATOR_VERSION, "files": files, "rows": rows, "year": year},
                      sort_keys=True)


def ensure_set(out: Path = DEFAULT_OUT, files: int = 1000, rows: int = 200, year: int = 2009,
               workers: int | None = None, force: bool = False, quiet: bool = False) -> Path:
    """The input folder (holding `<year>/`) of the full set, generated if it is not there yet."""
    base = set_dir(out, files, rows)
    stamp = base / ".complete"
    if not force and stamp.is_file() and stamp.read_text() == _stamp(files, rows, year):
        return base
    if base.exists():
        shutil.rmtree(base)
    folder = base / str(year)
    folder.mkdir(parents=True)
    jobs = file_plan(files)
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            list(pool.map(write_one, [str(folder)] * files, [b for b, _ in jobs], [i for _, i in jobs],
                          [rows] * files, [year] * files, chunksize=max(1, files // (workers * 8))))
    else:
        for bureau, index in jobs:
            write_one(str(folder), bureau, index, rows, year)
    stamp.write_text(_stamp(files, rows, year))
    if not quiet:
        print(f"make_synthetic: {files} workbooks x {rows} rows written to {folder} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return base


def ensure_subset(out: Path, files: int, rows: int, year: int, total_rows: int) -> Path:
    """An input folder holding the first `total_rows // rows` files of the full set (hard links),
    shared evenly between the bureaux."""
    base = ensure_set(out, files, rows, year, quiet=True)
    count = total_rows // rows
    if count >= files:
        return base
    sub = subset_dir(out, files, rows, total_rows)
    stamp = sub / ".complete"
    expected = _stamp(files, rows, year) + f" first {count}"
    if stamp.is_file() and stamp.read_text() == expected:
        return sub
    if sub.exists():
        shutil.rmtree(sub)
    (sub / str(year)).mkdir(parents=True)
    for bureau, index in file_plan(count):
        source = base / str(year) / file_name(bureau, index)
        target = sub / str(year) / source.name
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    stamp.write_text(expected)
    return sub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=200, help="KPI rows per workbook")
    parser.add_argument("--year", type=int, default=2009)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--subsets", default="50000,100000", help="total rows of the nested sets")
    parser.add_argument("--force", action="store_true", help="regenerate even if present")
    args = parser.parse_args(argv)
    base = ensure_set(args.out, args.files, args.rows, args.year, args.workers, args.force)
    print(base)
    for total in (int(x) for x in args.subsets.split(",") if x.strip()):
        print(ensure_subset(args.out, args.files, args.rows, args.year, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
