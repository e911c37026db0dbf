"""What the XML scan of untrusted workbooks costs, and what it saves (reportgen.bureau.xlsxscan).

    .venv/bin/python bench/ingest_hostile.py [--runs 5] [--calamine]

Prints, best of `--runs`, in milliseconds:

- scan: `xlsxscan.scan_workbook` (container checks + streaming scan of every XML part);
  read: `ingest._read_sheets` (calamine); total: `ingest.read_workbook` (both, plus tables);
  for the 2009 samples and a 20,000-row KPIs sheet written by openpyxl (9 columns, inline
  strings), in three forms: plain values; a formula column with computed values (as Excel
  saves it); the same formulas without values (as openpyxl saves it: 6,667 errors to report);
- refusals, each in a fresh process (time, Python peak from tracemalloc, ru_maxrss): a 300 MB
  deflate bomb (< 1 MB file) refused from its declared sizes; the same bomb with headers that
  declare 4 KB (refused after inflating at most 1 MB); one value in XFD1048576;
- with --calamine, what calamine itself does with those files, each in a fresh process under a
  4 GB address-space limit: the honest bomb read (s, MB), and the far cell (the process aborts:
  "memory allocation of 549755813888 bytes failed").
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.xlsx_parts import bomb_workbook, patch, read_parts, sheet_member  # noqa: E402
from reportgen import ingest, xlsxscan  # noqa: E402
from workbooks import KPI_HEADER, about, write_workbook  # noqa: E402


def best_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def big_workbooks(folder: Path) -> dict[str, Path]:
    random.seed(1)
    rows = [KPI_HEADER + ["Check"]]
    for i in range(20_000):
        rows.append([f"R-{i % 12 + 1:02d}", f"KPI number {i}", "number", random.randint(0, 100),
                     random.randint(50, 150), random.randint(0, 200), "higher", f"comment {i} " * 3,
                     f"=E{i + 2}*2" if i % 3 == 0 else None])
    uncached = write_workbook(folder / "BR_20k_uncached.xlsx", {"About": about("BR", 2009), "KPIs": rows})
    member = sheet_member(uncached, "KPIs")
    cached = patch(uncached, member, lambda xml: xml.replace(b"</f><v /></c>", b"</f><v>42</v></c>"),
                   folder / "BR_20k_cached.xlsx")
    plain = write_workbook(folder / "BR_20k_plain.xlsx",
                           {"About": about("BR", 2009), "KPIs": [r[:8] for r in rows]})
    return {"20k plain": plain, "20k formulas, values": cached, "20k formulas, no values": uncached}


def measure_reading(runs: int, folder: Path) -> None:
    files = {p.name: p for p in sorted((ROOT / "inputs" / "2009").glob("*.xlsx"))}
    files.update(big_workbooks(folder))
    limits = ingest.Limits()
    print(f"{'workbook':26} {'sheet XML':>10} {'scan':>9} {'read':>9} {'total':>9}  problems")
    for name, path in files.items():
        xml = sum(len(d) for n, d in read_parts(path).items() if n.startswith("xl/worksheets/"))
        scan = best_ms(lambda: xlsxscan.scan_workbook(path, limits), runs)
        read = best_ms(lambda: ingest._read_sheets(path), runs)
        total = best_ms(lambda: ingest.read_workbook(path, name, limits), runs)
        problems = len(ingest.read_workbook(path, name, limits)[1])
        print(f"{name:26} {xml / 1e6:8.2f}MB {scan:7.2f}ms {read:7.2f}ms {total:7.2f}ms  {problems}")


CHILD = """
import json, re, sys, time, tracemalloc
sys.path[:0] = {paths!r}
from pathlib import Path

def peak_rss_mb():  # VmHWM is this process's own; ru_maxrss survives exec from the parent
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
{body}
"""


def child(body: str, limit_as: int | None = None) -> dict:
    code = CHILD.format(paths=[str(ROOT), str(ROOT / "tests")], body=body)
    preexec = None
    if limit_as:
        import resource

        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=preexec)
    if done.returncode != 0:
        return {"exit": done.returncode, "stderr": done.stderr.strip().splitlines()[0][:120] if done.stderr else ""}
    return json.loads(done.stdout.strip().splitlines()[-1])


REFUSE = """
from reportgen.pipeline import ingest
path = Path({path!r})
tracemalloc.start()
start = time.perf_counter()
workbook, problems = ingest.read_workbook(path, path.name, ingest.Limits())
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"ms": seconds * 1e3, "python_peak_MB": peak / 1e6,
                  "peak_rss_MB": peak_rss_mb(),
                  "refused": workbook is None, "message": problems[0].message[:90]}}))
"""

CALAMINE = """
from python_calamine import CalamineWorkbook
start = time.perf_counter()
try:
    book = CalamineWorkbook.from_path({path!r})
    rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
    outcome = f"read {{rows}} rows"
except Exception as exc:
    outcome = f"{{type(exc).__name__}}: {{str(exc)[:80]}}"
print(json.dumps({{"s": time.perf_counter() - start, "outcome": outcome,
                  "peak_rss_MB": peak_rss_mb()}}))
"""


def measure_refusals(folder: Path, calamine: bool) -> None:
    good = write_workbook(folder / "good.xlsx", {"About": about("BR", 2009), "KPIs": [KPI_HEADER]})
    member = sheet_member(good, "KPIs")
    bomb = bomb_workbook(folder / "bomb.xlsx", good, 300 << 20, member=member)
    liar = bomb_workbook(folder / "liar.xlsx", good, 300 << 20, declared=4000, member=member)
    far = patch(good, member, lambda x: x.replace(b"</sheetData>", b'<row r="9"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
                folder / "far.xlsx")
    with zipfile.ZipFile(bomb) as archive:
        declared = archive.getinfo(member).file_size
    print(f"\nbomb: {bomb.stat().st_size / 1e6:.2f} MB file, sheet declared {declared / 1e6:.0f} MB")
    baseline = child("import reportgen.pipeline.ingest\nprint(json.dumps({'peak_rss_MB': peak_rss_mb()}))")
    print(f"a fresh interpreter with reportgen.pipeline.ingest imported: peak RSS {baseline['peak_rss_MB']:.0f} MB")
    for name, path in (("300 MB bomb", bomb), ("lying header", liar), ("XFD1048576", far)):
        child(REFUSE.format(path=str(path)))  # warm the page cache and imports
        result = child(REFUSE.format(path=str(path)))
        print(f"{name:14} refused={result['refused']} {result['ms']:8.2f} ms  python peak "
              f"{result['python_peak_MB']:6.2f} MB  peak RSS {result['peak_rss_MB']:5.0f} MB  {result['message']}")
    if calamine:
        for name, path in (("300 MB bomb", bomb), ("lying header", liar), ("XFD1048576", far)):
            result = child(CALAMINE.format(path=str(path)), limit_as=4 << 30)
            print(f"calamine, {name:14} {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calamine", action="store_true", help="also let calamine read the hostile files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure_reading(args.runs, Path(folder))
        measure_refusals(Path(folder), args.calamine)


if __name__ == "__main__":
    main()
