"""reportgen's benchmark suite (`make bench`): the 2009 sample build and ingest at scale.

    .venv/bin/python bench/run.py [--runs 5] [--quick] [--skip-baseline] [--only build,rebuild,ingest,threshold]

Writes `bench/results/results.json` (every number measured) and `bench/results/results.md`
(the tables that docs/performance.md quotes). Every measurement runs in a fresh process:

- build: the sample build (HTML + tagged PDF + JSON + data workbook) from a cold process,
  `.venv/bin/reportgen build --year 2009 --outputs <new folder> --profile`, wall clock and CPU;
  the stage split from its `--profile` lines and from `build.build()` run again in one process;
- rebuild: the same command again into the same folder, nothing changed, then one cell changed;
- ingest: synthetic returns from bench/make_synthetic.py (generated once into bench/.data/),
  50,000 / 100,000 / 200,000 KPI rows in 250 / 500 / 1,000 workbooks, read and validated with
  reportgen.pipeline.workers, serially, and through build.read_year; the 200,000-row set also read with
  pandas.read_excel(engine="openpyxl") one file after another, the baseline;
- threshold: serial reading against a pool for a few files, to place `SERIAL_MAX_FILES`.

Peak memory is the whole process tree's, sampled every 20 ms from /proc (PSS, so pages that
forked workers share with their parent count once), with `ru_maxrss` of the largest process.
The machine's load average is recorded before and after: on a shared machine wall clock
swings, CPU seconds far less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
REPORTGEN = ROOT / ".venv" / "bin" / "reportgen"
sys.path.insert(0, str(BENCH))

import make_synthetic  # noqa: E402  (bench/ is not a package)

# ingest_ratio: issue 14 raised it from 10 (reading) to 15, judged on reading and validating.
TARGETS = {"build_s": 4.0, "rebuild_s": 0.5, "ingest_ratio": 15.0, "ingest_s": 20.0, "memory_mb": 1024.0}
SIZES = (50_000, 100_000, 200_000)


# -- running one measurement ------------------------------------------------------------------

@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float  # user + system of the process and its children
    peak_pss_mb: float | None  # whole tree, sampled
    peak_rss_mb: float | None  # whole tree, sampled (shared pages counted in every process)

    def json(self) -> Any:
        return json.loads(self.stdout.strip().splitlines()[-1])


def _tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue += [int(c) for c in handle.read().split()]
        except OSError:
            continue
    return pids


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Measured:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    peaks = {"pss": 0, "rss": 0}
    done = threading.Event()
    can_sample = os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")

    def sample() -> None:
        while not done.is_set():
            pids = _tree(process.pid)
            peaks["rss"] = max(peaks["rss"], sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids))
            peaks["pss"] = max(peaks["pss"], sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if can_sample:
        sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    if can_sample:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(process.returncode, stdout, stderr, wall, cpu,
                    peaks["pss"] / 1024 if can_sample else None, peaks["rss"] / 1024 if can_sample else None)


def check(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise SystemExit(f"bench: {what} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    return measured


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- the suite --------------------------------------------------------------------------------

PROFILE_LINE = re.compile(r"^(\S.*?)\s+(\d+\.\d+) s$")


def profile_stages(stderr: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for line in stderr.splitlines()
            if (m := PROFILE_LINE.match(line.strip())) and m.group(1) != "total"}


def bench_build(runs: int, temp: Path) -> dict[str, Any]:
    cold = []
    for run in range(runs):
        out = temp / f"cold-{run}"
        m = check(run_measured([REPORTGEN, "build", "--year", "2009", "--outputs", out, "--profile"]), "reportgen build")
        cold.append({"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_pss_mb": m.peak_pss_mb,
                     "stages": profile_stages(m.stderr),
                     "outputs": sorted(p.name for p in (out / "2009").iterdir() if not p.name.startswith("."))})
        log(f"cold build {run + 1}/{runs}: {m.wall_s:.2f} s wall, {m.cpu_s:.2f} s CPU")
    warm = check(run_measured([PYTHON, BENCH / "measure.py", "stages", "--runs", str(runs + 1)]), "stages").json()
    log("in-process builds: " + ", ".join(f"{r['wall_s']:.2f}" for r in warm["runs"]) + " s")
    stage_names = list(dict.fromkeys(n for r in cold + warm["runs"] for n in r["stages"]))
    return {
        "cold": cold,
        "in_process": warm,
        "summary": {
            "cold_wall_s": median([r["wall_s"] for r in cold]),
            "cold_cpu_s": median([r["cpu_s"] for r in cold]),
            "cold_wall_min_s": min(r["wall_s"] for r in cold),
            "stages_cold": {n: median([r["stages"].get(n, 0.0) for r in cold]) for n in stage_names},
            # the first in-process build pays for imports; the others are warm
            "stages_warm": {n: median([r["stages"].get(n, 0.0) for r in warm["runs"][1:]]) for n in stage_names},
            "outputs": cold[-1]["outputs"],
        },
    }


def bench_rebuild(runs: int, temp: Path) -> dict[str, Any]:
    """`reportgen build` again into the same folder: nothing changed, then one cell changed."""
    inputs = temp / "rebuild-inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    command = [REPORTGEN, "build", "--year", "2009", "--inputs", inputs, "--outputs", temp / "rebuild"]
    check(run_measured(command), "first build")
    again = [check(run_measured(command), "rebuild") for _ in range(runs)]
    results: dict[str, Any] = {"cli": {"wall_s": [m.wall_s for m in again], "cpu_s": [m.cpu_s for m in again],
                                       "reused": all("up to date" in m.stdout for m in again)}}
    log(f"rebuild, nothing changed: {median(results['cli']['wall_s']):.3f} s (outputs reused: {results['cli']['reused']})")
    book = inputs / "2009" / "BR_2009.xlsx"
    book.write_bytes(book.read_bytes())  # the same bytes, a newer date: still reused
    same = check(run_measured(command), "rebuild, same bytes")
    _set_cell(book)
    changed = check(run_measured(command), "rebuild, one cell changed")
    results["changed_input"] = {"same_bytes_reused": "up to date" in same.stdout,
                                "one_cell_changed_rebuilt": "written to" in changed.stdout,
                                "rebuild_wall_s": changed.wall_s}
    return results


def _set_cell(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook["KPIs"]["F4"] = 4321
    workbook.save(path)


def bench_threshold(runs: int) -> dict[str, Any]:
    folder = make_synthetic.ensure_set()
    result = check(run_measured([PYTHON, BENCH / "measure.py", "threshold", "--dir", folder,
                                 "--counts", "4,8,12,16,24,32,64", "--runs", str(runs)]), "threshold").json()
    sample = check(run_measured([PYTHON, BENCH / "measure.py", "threshold", "--dir", ROOT / "inputs",
                                 "--counts", "4", "--runs", str(runs)]), "threshold (samples)").json()
    result["sample_2009"] = sample["rows"][0]
    return result


def bench_ingest(runs: int, skip_baseline: bool) -> dict[str, Any]:
    folders = {size: make_synthetic.ensure_subset(make_synthetic.DEFAULT_OUT, 1000, 200, 2009, size)
               for size in SIZES}
    measured: list[dict[str, Any]] = []

    def measure(size: int, mode: str, times: int, what: str = "ingest") -> None:
        for run in range(times):
            cmd = [PYTHON, BENCH / "measure.py", what, "--dir", folders[size]]
            if what == "ingest":
                cmd += ["--mode", mode]
            m = check(run_measured(cmd), f"{what} {size} {mode}")
            record = {"size": size, "wall_s": m.wall_s, "process_cpu_s": m.cpu_s,
                      "peak_pss_mb": m.peak_pss_mb, "peak_rss_mb": m.peak_rss_mb, **m.json(),
                      "mode": mode if what == "ingest" else "openpyxl baseline"}
            measured.append(record)
            log(f"{record['mode']} {size:,} rows: read {record['read_s']:.2f} s"
                + (f", validate {record['validate_s']:.2f} s" if "validate_s" in record else "")
                + f", peak {m.peak_pss_mb or 0:.0f} MB")

    for size in SIZES:
        measure(size, "pipeline", runs)  # what a build does: the targets are judged on it
        measure(size, "parallel", runs)  # reading alone, for the ratio to the openpyxl baseline
    measure(SIZES[-1], "serial", max(1, runs // 2))
    if not skip_baseline:
        measure(SIZES[-1], "baseline", 1, what="baseline")
    return {"runs": measured, "files_per_size": {s: s // 200 for s in SIZES}}


# -- summary and tables -----------------------------------------------------------------------

def _pick(runs: list[dict[str, Any]], size: int, mode: str) -> list[dict[str, Any]]:
    # `reader`: records of older results.json files (--tables-only) may hold other readers' runs.
    return [r for r in runs if int(r["size"]) == size and r["mode"] == mode and r.get("reader", "ingest") == "ingest"]


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    if "build" in results:
        for key in ("cold_wall_s", "cold_cpu_s"):
            summary[f"build_{key}"] = results["build"]["summary"][key]
    if "rebuild" in results:
        summary["rebuild_cli_wall_s"] = median(results["rebuild"]["cli"]["wall_s"])
        summary["rebuild_cli_reused"] = results["rebuild"]["cli"]["reused"]
    if "ingest" in results:
        runs = results["ingest"]["runs"]
        per_size = {}
        for size in SIZES:
            chosen = _pick(runs, size, "pipeline")
            reading = _pick(runs, size, "parallel")
            if chosen:
                total = median([r["total_s"] for r in chosen])
                per_size[size] = {"read_s": median([r["read_s"] for r in chosen]),
                                  "validate_s": median([r["validate_s"] for r in chosen]),
                                  "read_only_s": median([r["read_s"] for r in reading]) if reading else None,
                                  "total_s": total, "rows_per_s": size / total,
                                  # the whole process: interpreter, imports (pandas too) and workers
                                  "process_s": median([r["wall_s"] for r in chosen]),
                                  "us_per_row": 1e6 * total / size,
                                  "peak_pss_mb": max(r["peak_pss_mb"] or 0 for r in chosen)}
        summary["ingest"] = per_size
        if per_size:
            first = per_size[min(per_size)]["us_per_row"]
            summary["growth"] = {size: v["us_per_row"] / first for size, v in per_size.items()}
        base = _pick(runs, SIZES[-1], "openpyxl baseline")
        if base and SIZES[-1] in per_size and per_size[SIZES[-1]]["read_only_s"]:
            summary["baseline_read_s"] = base[0]["read_s"]
            summary["ratio_read"] = base[0]["read_s"] / per_size[SIZES[-1]]["read_only_s"]
            summary["ratio_read_and_validate"] = base[0]["read_s"] / per_size[SIZES[-1]]["total_s"]
            summary["ratio_whole_process"] = base[0]["read_s"] / per_size[SIZES[-1]]["process_s"]
        serial = _pick(runs, SIZES[-1], "serial")
        if serial:
            summary["serial_200k"] = {"read_s": median([r["read_s"] for r in serial]),
                                      "total_s": median([r["total_s"] for r in serial])}
    return summary


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def markdown(results: dict[str, Any]) -> str:
    env, s = results["environment"], results["summary"]
    lines = [f"Measured {env['when']} on {env['cores']} cores ({env['machine']}), Python {env['python']}, "
             f"commit {env['commit']}; load average {env['load_before']} before, {env['load_after']} after."
             + (f" Parts not measured again were kept from the run of {env['kept_from']}." if env.get("kept_from") else ""),
             ""]
    lines += ["| target | measured | |", "|---|---:|---|"]
    if "build_cold_wall_s" in s:
        lines.append(f"| 2009 sample build, cold process, tagged PDF: < {TARGETS['build_s']:.0f} s | "
                     f"{s['build_cold_wall_s']:.2f} s wall ({s['build_cold_cpu_s']:.2f} s CPU, all processes) | "
                     f"{verdict(s['build_cold_wall_s'] < TARGETS['build_s'])} |")
    if "rebuild_cli_wall_s" in s:
        lines.append(f"| rebuild, nothing changed: < {TARGETS['rebuild_s']} s | {s['rebuild_cli_wall_s']:.2f} s "
                     f"({'outputs reused' if s['rebuild_cli_reused'] else 'a full build'}) | "
                     f"{verdict(s['rebuild_cli_reused'] and s['rebuild_cli_wall_s'] < TARGETS['rebuild_s'])} |")
    ingest = s.get("ingest", {})
    big = ingest.get(SIZES[-1]) or ingest.get(str(SIZES[-1]))
    if big:
        lines.append(f"| 200,000 rows read + validated: < {TARGETS['ingest_s']:.0f} s | {big['total_s']:.2f} s "
                     f"(`build.read_year`: each return checked as the workers read the next) | "
                     f"{verdict(big['total_s'] < TARGETS['ingest_s'])} |")
        if "ratio_read" in s:
            whole = s.get("ratio_whole_process")
            lines.append(f"| read and validated ≥ {TARGETS['ingest_ratio']:.0f}× faster than openpyxl one by one "
                         f"({s['baseline_read_s']:.1f} s, reading only) | {s['ratio_read']:.1f}× reading, "
                         f"{s['ratio_read_and_validate']:.1f}× reading and validating"
                         + (f", {whole:.1f}× as a whole process (start and imports included)" if whole else "")
                         + f" | {verdict(s['ratio_read_and_validate'] >= TARGETS['ingest_ratio'])} |")
        lines.append(f"| peak memory, 200,000 rows: < 1 GiB | {big['peak_pss_mb']:.0f} MB (whole process tree, PSS) | "
                     f"{verdict(big['peak_pss_mb'] < TARGETS['memory_mb'])} |")
        growth = s.get("growth", {})
        if growth:
            worst = max(growth.values())
            lines.append(f"| cost grows linearly | {', '.join(f'{float(v):.2f}' for v in growth.values())} × the "
                         f"50,000-row cost per row | {verdict(worst < 1.25)} |")
    if "build" in results:
        b = results["build"]["summary"]
        lines += ["", "### 2009 sample build by stage (median seconds)", "",
                  "| stage | cold process (`reportgen build --profile`) | in one process, warm |", "|---|---:|---:|"]
        for name in b["stages_cold"]:
            lines.append(f"| {name} | {b['stages_cold'][name]:.3f} | {b['stages_warm'].get(name, 0):.3f} |")
        lines.append(f"| **sum of stages** | {sum(b['stages_cold'].values()):.3f} | {sum(b['stages_warm'].values()):.3f} |")
        lines.append(f"| **whole process, wall clock** | {b['cold_wall_s']:.3f} (min {b['cold_wall_min_s']:.3f}) | |")
        lines.append(f"| **whole process, CPU (all processes)** | {b['cold_cpu_s']:.3f} | |")
        lines += ["", "The PDFs are rendered by `parallel.PdfPool` workers, started when the build starts: "
                  "'render pdf' is only the wait for them once the HTML is ready."]
        lines += ["", f"Outputs: {', '.join(b['outputs'])}."]
    if "rebuild" in results:
        r = results["rebuild"]
        lines += ["", "### Rebuild (cold process, `reportgen build` into the same folder)", "",
                  f"Nothing changed: {median(r['cli']['wall_s']):.3f} s median wall clock, outputs reused: "
                  f"{r['cli']['reused']}. The same bytes written again into a workbook: reused = "
                  f"{r['changed_input']['same_bytes_reused']}; one cell changed: rebuilt = "
                  f"{r['changed_input']['one_cell_changed_rebuilt']} ({r['changed_input']['rebuild_wall_s']:.2f} s)."]
    if "ingest" in results:
        lines += ["", "### Ingest at scale (synthetic returns, 200 KPI rows per workbook)", "",
                  "| rows | workbooks | how | read s | validate s | total s | rows/s | µs/row | peak memory (tree PSS) | largest process (max RSS) |",
                  "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for size in SIZES:
            for mode in ("pipeline", "parallel", "serial", "openpyxl baseline"):
                chosen = _pick(results["ingest"]["runs"], size, mode)
                if not chosen:
                    continue
                read = median([r["read_s"] for r in chosen])
                validate = median([r.get("validate_s", 0.0) for r in chosen]) if mode != "openpyxl baseline" else None
                total = read + (validate or 0.0) if mode == "openpyxl baseline" else median([r["total_s"] for r in chosen])
                rss = max(max(r.get("maxrss_self_mb", 0), r.get("maxrss_largest_child_mb", 0)) for r in chosen)
                label = {"parallel": f"read all, then validate (reportgen.pipeline.workers, {chosen[0].get('workers')} workers)",
                         "serial": "read all, then validate (workers=1)",
                         "pipeline": "`build.read_year`, as a build reads (validated as read)",
                         "openpyxl baseline": "pandas.read_excel(openpyxl), one by one (read only)"}[mode]
                lines.append(f"| {size:,} | {chosen[0]['files']} | {label} | {read:.2f} | "
                             f"{'–' if validate is None else f'{validate:.2f}'} | {total:.2f} | {size / total:,.0f} | "
                             f"{1e6 * total / size:.1f} | {max(r['peak_pss_mb'] or 0 for r in chosen):.0f} MB | {rss:.0f} MB |")
        lines.append("")
        lines.append(f"Medians of {max(len(_pick(results['ingest']['runs'], SIZES[0], 'pipeline')), 1)} runs each "
                     "(the serial and baseline rows: fewer runs). In the `build.read_year` rows 'read' is the "
                     "time spent waiting for the workers, 'validate' the rest.")
    if "threshold" in results:
        t = results["threshold"]
        lines += ["", "### A pool or not: a few workbooks (median wall clock, warm process)", "",
                  "| workbooks | serial s | pool of all cores s |", "|---:|---:|---:|"]
        for row in t["rows"]:
            lines.append(f"| {row['files']} | {row['serial_s']:.3f} | {row['pool_s']:.3f} |")
        sample = t["sample_2009"]
        lines.append(f"| 4 (the 2009 samples) | {sample['serial_s']:.3f} | {sample['pool_s']:.3f} |")
    return "\n".join(lines) + "\n"


def environment() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "cores": len(os.sched_getaffinity(0)),
            "machine": f"{platform.system()} {platform.machine()}", "python": platform.python_version(),
            "commit": commit, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median kept)")
    parser.add_argument("--quick", action="store_true", help="2 runs, no openpyxl baseline: a smoke test")
    parser.add_argument("--skip-baseline", action="store_true", help="skip the slow openpyxl baseline")
    parser.add_argument("--only", default="build,rebuild,ingest,threshold")
    parser.add_argument("--tables-only", action="store_true",
                        help="write results.md again from results.json, measuring nothing")
    args = parser.parse_args(argv)
    if args.tables_only:
        results = json.loads((RESULTS / "results.json").read_text(encoding="utf-8"))
        results["summary"] = summarise(results)
        (RESULTS / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        (RESULTS / "results.md").write_text(markdown(results), encoding="utf-8")
        print(markdown(results))
        return 0
    runs = 2 if args.quick else args.runs
    wanted = {w.strip() for w in args.only.split(",")}
    results: dict[str, Any] = {"environment": environment(), "targets": TARGETS}
    everything = {"build", "rebuild", "ingest", "threshold"}
    if wanted != everything and (RESULTS / "results.json").is_file():
        # Only some parts measured again: keep the others from the last run, and say so.
        previous = json.loads((RESULTS / "results.json").read_text(encoding="utf-8"))
        for part in everything - wanted:
            if part in previous:
                results[part] = previous[part]
        kept = sorted(everything - wanted)
        results["environment"]["kept_from"] = f"{previous['environment'].get('when')} ({', '.join(kept)})"
    started = time.perf_counter()
    if "ingest" in wanted or "threshold" in wanted:
        make_synthetic.ensure_set()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as temp:
        if "build" in wanted:
            results["build"] = bench_build(runs, Path(temp))
        if "rebuild" in wanted:
            results["rebuild"] = bench_rebuild(runs, Path(temp))
    if "threshold" in wanted:
        results["threshold"] = bench_threshold(3)
    if "ingest" in wanted:
        results["ingest"] = bench_ingest(max(1, runs if not args.quick else 1), args.skip_baseline or args.quick)
    results["environment"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["environment"]["suite_s"] = time.perf_counter() - started
    results["summary"] = summarise(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    table = markdown(results)
    (RESULTS / "results.md").write_text(table, encoding="utf-8")
    print(table)
    log(f"written {RESULTS / 'results.json'} and {RESULTS / 'results.md'} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
