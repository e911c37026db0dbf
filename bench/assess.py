"""The plan-period assessment against the single-year build, measured in pairs.

    .venv/bin/python bench/assess.py [--runs 3] [--lang en]

Each run starts two fresh processes one after the other (their order alternating from run to
run, so that a machine growing busier or quieter favours neither):
- `reportgen build --year 2009 --force` (HTML, tagged PDF, JSON, data workbook) into a new folder;
- `reportgen assess --period 2008-2011` (HTML, tagged PDF, JSON) into a new folder,
both from the sample returns in `inputs/`. Wall clock, CPU seconds and the peak memory of the
whole process tree (PSS, sampled by bench/run.py's `run_measured`) are recorded; the targets of
issue 14 are an assessment in under twice the single-year build's time and a peak under 1 GiB.
The stage split comes from each command's `--profile`.

Writes bench/results/assess.json and bench/results/assess.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from run import REPORTGEN, RESULTS, check, environment, log, profile_stages, run_measured  # noqa: E402

TARGET_RATIO = 2.0
TARGET_MEMORY_MB = 1024.0


def _one(kind: str, folder: Path, lang: str) -> dict[str, Any]:
    if kind == "build":
        command = [REPORTGEN, "build", "--year", "2009", "--outputs", folder, "--force", "--profile", "--lang", lang]
    else:
        command = [REPORTGEN, "assess", "--period", "2008-2011", "--outputs", folder, "--profile", "--lang", lang]
    m = check(run_measured(command), f"reportgen {kind}")
    return {"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_pss_mb": m.peak_pss_mb, "peak_rss_mb": m.peak_rss_mb,
            "stages": profile_stages(m.stderr)}


def measure(runs: int, lang: str) -> dict[str, Any]:
    pairs = []
    with tempfile.TemporaryDirectory(prefix="bench-assess-") as temp:
        for run in range(runs):
            order = ("build", "assess") if run % 2 == 0 else ("assess", "build")
            pair = {kind: _one(kind, Path(temp) / f"{kind}-{run}", lang) for kind in order}
            pair["ratio_wall"] = pair["assess"]["wall_s"] / pair["build"]["wall_s"]
            pair["ratio_cpu"] = pair["assess"]["cpu_s"] / pair["build"]["cpu_s"]
            pairs.append(pair)
            log(f"pair {run + 1}/{runs}: build {pair['build']['wall_s']:.2f} s, assess {pair['assess']['wall_s']:.2f} s "
                f"(×{pair['ratio_wall']:.2f} wall, ×{pair['ratio_cpu']:.2f} CPU)")
    median = statistics.median
    summary = {
        "build_wall_s": median(p["build"]["wall_s"] for p in pairs),
        "assess_wall_s": median(p["assess"]["wall_s"] for p in pairs),
        "build_cpu_s": median(p["build"]["cpu_s"] for p in pairs),
        "assess_cpu_s": median(p["assess"]["cpu_s"] for p in pairs),
        "ratio_wall": median(p["ratio_wall"] for p in pairs),
        "ratio_cpu": median(p["ratio_cpu"] for p in pairs),
        "assess_peak_pss_mb": max((p["assess"]["peak_pss_mb"] or 0.0) for p in pairs),
        "build_peak_pss_mb": max((p["build"]["peak_pss_mb"] or 0.0) for p in pairs),
        "assess_stages": {name: median(p["assess"]["stages"].get(name, 0.0) for p in pairs)
                          for name in pairs[0]["assess"]["stages"]},
    }
    summary["ratio_ok"] = summary["ratio_wall"] < TARGET_RATIO
    summary["memory_ok"] = summary["assess_peak_pss_mb"] < TARGET_MEMORY_MB
    return {"runs": runs, "lang": lang, "pairs": pairs, "summary": summary}


def markdown(results: dict[str, Any]) -> str:
    s = results["summary"]
    ok = {True: "met", False: "NOT met"}
    lines = [
        f"### Plan-period assessment vs single-year build ({results['runs']} interleaved pairs, --lang {results['lang']})",
        "",
        "| | single-year build (2009) | assessment 2008-2011 | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| wall clock (median) | {s['build_wall_s']:.2f} s | {s['assess_wall_s']:.2f} s | ×{s['ratio_wall']:.2f} | "
        f"< ×{TARGET_RATIO:g}: {ok[s['ratio_ok']]} |",
        f"| CPU (median) | {s['build_cpu_s']:.2f} s | {s['assess_cpu_s']:.2f} s | ×{s['ratio_cpu']:.2f} | |",
        f"| peak memory, process tree (PSS) | {s['build_peak_pss_mb']:.0f} MB | {s['assess_peak_pss_mb']:.0f} MB | | "
        f"< {TARGET_MEMORY_MB:.0f} MB: {ok[s['memory_ok']]} |",
        "",
        "Assessment stages (median, s): " + ", ".join(f"{k} {v:.2f}" for k, v in s["assess_stages"].items()),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs (default 3)")
    parser.add_argument("--lang", default="en", help="languages of both documents (default en)")
    args = parser.parse_args(argv)
    results = measure(args.runs, args.lang) | {"environment": environment()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "assess.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "assess.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0 if results["summary"]["ratio_ok"] and results["summary"]["memory_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
