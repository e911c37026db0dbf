"""Interleaved A/B timings of two checkouts on one machine (hosts differ by 30-50 %, and a shared
machine's speed drifts: only runs taken in turn are compared).

    .venv/bin/python bench/compare.py OLD_CHECKOUT [--new .] [--runs 3] [--rows 200000]

For each checkout (each with its own .venv): the cold English sample build, the six-language
build, the rebuild with nothing changed, and `validate` of the synthetic 200,000-row year
(bench/.data/, made by bench/make_synthetic.py). Prints medians of wall-clock seconds and the
ratio new/old, and the six-language build over the English one for each checkout.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed in {cwd}: {done.stderr[-500:]}")
    return elapsed


def cases(checkout: Path, out: Path, data: Path | None) -> dict[str, list[str]]:
    reportgen = str(checkout / ".venv" / "bin" / "reportgen")
    inputs = str(checkout / "inputs")
    found = {
        "build en (cold)": [reportgen, "build", "--year", "2009", "--inputs", inputs, "--outputs", str(out / "en"), "--force"],
        "build all six": [reportgen, "build", "--year", "2009", "--inputs", inputs, "--outputs", str(out / "all"),
                          "--force", "--lang", "all"],
        "rebuild (nothing changed)": [reportgen, "build", "--year", "2009", "--inputs", inputs, "--outputs",
                                      str(out / "en")],
    }
    if data is not None:
        found["validate 200,000 rows"] = [reportgen, "validate", "--year", "2009", "--inputs", str(data)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("--new", type=Path, default=BENCH.parent)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=lambda p: Path(p).resolve(), default=None,
                        help="a folder holding 2009/ with the synthetic returns")
    args = parser.parse_args()
    checkouts = {"old": args.old.resolve(), "new": args.new.resolve()}
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as temp:
        for run in range(args.runs):
            for name, checkout in (checkouts.items() if run % 2 == 0 else reversed(list(checkouts.items()))):
                out = Path(temp) / name
                for case, command in cases(checkout, out, args.data).items():
                    times.setdefault((case, name), []).append(timed(command, checkout))
                shutil.rmtree(out, ignore_errors=True)
    print(f"| case | old (s) | new (s) | new/old |\n|---|---|---|---|")
    medians = {key: statistics.median(values) for key, values in times.items()}
    for case in dict.fromkeys(case for case, _ in times):
        old, new = medians[(case, "old")], medians[(case, "new")]
        print(f"| {case} | {old:.2f} | {new:.2f} | {new / old:.2f} |")
    for name in checkouts:
        ratio = medians[("build all six", name)] / medians[("build en (cold)", name)]
        print(f"{name}: six languages / English = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
