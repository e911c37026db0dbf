"""Reading workbooks on several cores gives exactly what reading them one by one gives."""

import os
import pickle
from pathlib import Path

import pytest

from reportgen.pipeline import ingest
from reportgen.pipeline import workers as parallel
from tests.workbooks import KPI_HEADER, about, write_workbook

BUREAU_OUTPUTS = {"BR": "R-{:02d}", "TSB": "T-{:02d}", "BDT": "D-{:02d}", "GS": "INT-{:02d}"}


@pytest.fixture(scope="module")
def year_dir(tmp_path_factory) -> Path:
    """16 small valid returns (four per bureau, some in a subfolder) and one broken file."""
    folder = tmp_path_factory.mktemp("inputs") / "2009"
    for n in range(16):
        bureau = list(BUREAU_OUTPUTS)[n % 4]
        rows = [[BUREAU_OUTPUTS[bureau].format(1 + r % 8), f"Indicator {n}.{r}", "items", 10, 20,
                 "1,250" if r == 0 else 15 + r, None, None] for r in range(5)]
        name = f"{bureau}_{n:02d}.xlsx" if n % 5 else f"sub/{bureau}_{n:02d}.xlsx"
        write_workbook(folder / name, {"About": about(bureau, 2009),
                                       "KPIs": [["Returns (title row)"], [], KPI_HEADER, *rows]})
    (folder / "BR_broken.xlsx").write_bytes(b"not a workbook at all")
    return folder


def paths_of(year_dir: Path) -> list[Path]:
    paths, _ = ingest.find_workbooks(year_dir)
    return paths


def test_parallel_gives_what_serial_gives_in_path_order(year_dir):
    paths = paths_of(year_dir)
    assert len(paths) == 17
    serial = parallel.read_workbooks(paths, year_dir, ingest.Limits(), workers=1)
    pooled = parallel.read_workbooks(paths, year_dir, ingest.Limits(), workers=2)
    assert pooled == serial
    assert [w.file if w else None for w, _ in pooled] == [
        p.relative_to(year_dir).as_posix() if p.name != "BR_broken.xlsx" else None for p in paths]
    assert [row for row in pooled[1][0].tables["kpis"].rows][0][0] == 4  # Excel row under the header


def test_an_unreadable_file_is_a_problem_in_its_place(year_dir):
    paths = paths_of(year_dir)
    results = parallel.read_workbooks(paths, year_dir, ingest.Limits(), workers=2)
    broken = paths.index(year_dir / "BR_broken.xlsx")
    workbook, problems = results[broken]
    assert workbook is None
    assert [p.severity for p in problems] == ["error"] and problems[0].file == "BR_broken.xlsx"


def test_workbooks_survive_pickling(year_dir):
    workbook, _ = ingest.read_workbook(paths_of(year_dir)[0], "x.xlsx", ingest.Limits())
    assert pickle.loads(pickle.dumps(workbook, protocol=pickle.HIGHEST_PROTOCOL)) == workbook


def test_progress_is_called_once_per_workbook(year_dir):
    paths = paths_of(year_dir)
    for workers in (1, 2):
        calls: list[int] = []
        parallel.read_workbooks(paths, year_dir, ingest.Limits(), workers=workers, progress=calls.append)
        assert sum(calls) == len(paths)


def test_a_handful_of_files_is_read_here_and_many_on_every_core(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    assert parallel.worker_count(4) == 1
    assert parallel.worker_count(parallel.SERIAL_MAX_FILES) == 1
    assert parallel.worker_count(parallel.SERIAL_MAX_FILES + 1) == 2
    assert parallel.worker_count(1000) == 2
    assert parallel.worker_count(3, workers=8) == 3  # never more workers than files
    with pytest.raises(ValueError):
        parallel.worker_count(10, workers=0)


def _explode(path: Path, rel: str, limits) -> None:
    raise RuntimeError(f"bug while reading {rel}")


def test_a_bug_in_a_worker_is_raised_here(year_dir):
    with pytest.raises(RuntimeError, match="bug while reading"):
        parallel.map_workbooks(_explode, paths_of(year_dir), year_dir, ingest.Limits(), workers=2)


def test_empty_list(year_dir):
    assert parallel.read_workbooks([], year_dir, ingest.Limits()) == []


def _mark_worker() -> None:
    Path(os.environ["REPORTGEN_TEST_MARK"]).write_text(str(os.getpid()))


def test_pdf_pool_renders_in_workers_and_raises_their_errors(tmp_path, monkeypatch):
    mark = tmp_path / "worker-started"
    monkeypatch.setenv("REPORTGEN_TEST_MARK", str(mark))
    with parallel.PdfPool(jobs=2, initializer=_mark_worker) as pdfs:
        assert pdfs.size == min(2, parallel.available_cores())
        futures = [pdfs.submit(f"<!DOCTYPE html><p>page {n}</p>", "pdf/ua-1") for n in range(3)]
        assert all(f.result().startswith(b"%PDF-") for f in futures)
        with pytest.raises(KeyError, match="pdf/not-a-variant"):
            # WeasyPrint rejects the variant in the worker; the error comes back from result().
            pdfs.submit("<p>x</p>", "pdf/not-a-variant").result()
    assert mark.read_text() != str(os.getpid())  # the set-up ran in a worker, not here


@pytest.mark.parametrize("year", [2008, 2009])
def test_validation_needs_nothing_that_the_workers_leave_behind(year):
    """Workers send back `ingest.for_validation(workbook)`: the checked year (figures and every
    problem, the 2009 samples' deliberate flaws included) is the same as from the whole workbooks."""
    from reportgen.pipeline import validate
    from reportgen.plan.loader import load_plan

    year_dir = Path(__file__).resolve().parents[1] / "inputs" / str(year)
    plan = load_plan(None)
    paths = paths_of(year_dir)
    whole = [ingest.read_workbook(p, p.relative_to(year_dir).as_posix(), ingest.Limits()) for p in paths]
    slim = parallel.read_workbooks(paths, year_dir, ingest.Limits(), workers=2)
    assert any(t.raw_rows for w, _ in whole if w for k, t in w.tables.items() if k == "kpis")
    assert not any(t.raw_rows for w, _ in slim if w for k, t in w.tables.items() if k == "kpis")

    def checked(results):
        problems = [p for _, found in results for p in found]
        return validate.validate_year(year, [w for w, _ in results if w], problems, plan)

    result = checked(whole)
    assert checked(slim) == result and result.kpis
    if year == 2009:
        assert sum(p.severity == "error" for p in result.problems) >= 8  # the deliberate flaws


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_a_year_leaves_the_garbage_collector_as_it_was(year_dir, enabled):
    """`build.read_year` pauses cyclic garbage collection while it reads (docs/performance.md)
    and puts it back as it found it, also when the year cannot be read."""
    import gc

    from reportgen.pipeline.build import read_year
    from reportgen.errors import InputError
    from reportgen.plan.loader import load_plan

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        data, paths = read_year(2009, year_dir.parent, load_plan(None), ingest.Limits())
        assert len(paths) == 17 and data.kpis and gc.isenabled() is enabled
        with pytest.raises(InputError):
            read_year(2010, year_dir.parent, load_plan(None), ingest.Limits())
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# -- workers die with their parent (issue 16) -----------------------------------------------------

# A build through the command line that, as soon as the first page has gone to a PDF worker,
# writes the ids of its child processes to a file and is killed by SIGNAL (as `kill -9` or
# `kill` would do it, while the PDFs render).
KILLED_WHILE_RENDERING = """
import os, signal, sys
from pathlib import Path
from reportgen.pipeline import workers

def children():
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat.rpartition(")")[2].split()[1]) == os.getpid():
            found.append(int(entry))
    return found

submit = workers.PdfPool.submit

def submit_then_die(self, *args, **kwargs):
    future = submit(self, *args, **kwargs)
    Path(sys.argv[1]).write_text(" ".join(map(str, children())))
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    return future

workers.PdfPool.submit = submit_then_die
if os.environ.get("NO_PDEATHSIG"):  # as on a system without it: the watchdog thread must do it
    workers.PR_SET_PDEATHSIG = 0  # no such prctl option: the call fails
from reportgen.cli import main
sys.exit(main(sys.argv[3:]))
"""


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its new parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


@pytest.mark.parametrize("signal_name,kernel", [("SIGKILL", True), ("SIGTERM", True), ("SIGKILL", False)],
                         ids=["kill-9", "kill", "kill-9-watchdog-only"])
def test_pdf_workers_die_with_their_parent(tmp_path, signal_name, kernel):
    """The finding: after `kill -9` or `kill` of a build, its PDF workers (165 MB each) were
    still there 95 s later."""
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[1]
    pids_file = tmp_path / "workers"
    argv = [sys.executable, "-c", KILLED_WHILE_RENDERING, str(pids_file), signal_name,
            "build", "--year", "2009", "--inputs", str(root / "inputs"), "--outputs", str(tmp_path / "out"),
            "--lang", "en,fr"]
    # Output to files, not pipes: a surviving worker would hold a pipe open.
    with (tmp_path / "log").open("w") as log:
        build = subprocess.Popen(argv, stdout=log, stderr=log, env={**os.environ, "NO_PDEATHSIG": "" if kernel else "1"})
        assert build.wait(timeout=300) == -getattr(signal, signal_name), (tmp_path / "log").read_text()
    workers = [int(pid) for pid in pids_file.read_text().split()]
    assert workers  # the PDF workers were running when the build was killed
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if alive(pid)]
    for pid in survivors:  # do not leave them to the rest of the test session
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], f"{len(survivors)} of {len(workers)} worker(s) outlived the build by 5 s"
