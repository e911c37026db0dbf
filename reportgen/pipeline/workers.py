"""Reading many workbooks on every core: one worker process per core, results in path order.

Reading a workbook is pure CPU work in Python and in calamine (unzip, parse XML, clean cells),
so threads would queue on the GIL; processes do not. A process pool costs a few hundredths of
a second to start (fork) and every workbook read in a worker is pickled back to the parent
(≈ 0.2 ms to unpickle a 200-row workbook as `ingest.for_validation` leaves it), so for a
handful of files reading them one after another is faster: `read_workbooks` only starts a
pool when there are more than `SERIAL_MAX_FILES` files and more than one core to use.

    results = read_workbooks(paths, year_dir, limits)   # [(Workbook | None, [Problem]), ...]
    for workbook, problems in iter_read_workbooks(paths, year_dir, limits):
        ...                                             # the same, one at a time as they arrive

`map_workbooks` is the general form: any picklable function `(path, rel, limits) -> result`,
for example one that reads *and* checks a workbook, so that only its entries travel back.

`PdfPool` renders PDFs (WeasyPrint, the slowest stage by far) in worker processes started at
the beginning of a build: each imports WeasyPrint and renders a one-line page while this
process reads, checks and analyses the returns, so the half second of import and font set-up
is off the critical path; with several languages, their PDFs are rendered side by side, one
per core, while this process goes on with the next language's HTML.

    with PdfPool(jobs=len(languages)) as pdfs:
        ...                                  # ingest, validate, analyse, render HTML
        english = pdfs.submit(html, "pdf/ua-1", attachments, date)   # render.render_pdf's arguments
        ...
        files["report-2009.pdf"] = english.result()

Every worker dies with the process that started it (`_die_with_parent`): a build killed with
`kill -9` or `kill` takes its workers (about 165 MB each while they render) with it at once,
rather than leaving them to finish a page nobody will collect.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TypeVar

if TYPE_CHECKING:
    from reportgen.pipeline.ingest import Limits, Workbook
    from reportgen.model import Problem

T = TypeVar("T")

# Up to this many files are read in this process: measured on 2 cores, a pool only pays for
# its start-up and the pickling of results from about a dozen 200-row workbooks (docs/performance.md).
SERIAL_MAX_FILES = 12
# Workbooks handed to a worker at a time: enough to make the pickling overhead small, few
# enough that both workers finish together and the progress display moves.
MAX_CHUNK = 16


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, as in a container), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(files: int, workers: int | None = None) -> int:
    """How many processes to use for `files` workbooks: 1 (read here) for a handful of files,
    else `workers` or one per core, never more than there are files."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    if files <= SERIAL_MAX_FILES and workers is None:
        return 1
    return max(1, min(workers or available_cores(), files))


# -- workers end with their parent ---------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_CHECK_SECONDS = 0.5  # the watchdog's interval, where the kernel cannot tell a worker


def _die_with_parent(parent: int) -> None:
    """Run first in every worker: end this process when `parent`, the process that started the
    pool, ends, however it ends (`kill -9` included). On Linux the kernel sends SIGKILL at once
    (prctl PR_SET_PDEATHSIG; it fires when the *thread* that forked ends, which is the one that
    first submitted work to the pool: keep a pool to the thread that made it). A thread also
    watches the parent's id, for other systems and in case the parent ended before the prctl."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still does it, a little later
    if os.getppid() != parent:  # already gone
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # no clean-up to do: a worker keeps nothing but the page it was rendering


def _read_one(path: Path, rel: str, limits: Limits) -> tuple[Workbook | None, list[Problem]]:
    from reportgen.pipeline.ingest import for_validation, read_workbook

    workbook, problems = read_workbook(path, rel, limits)
    return (for_validation(workbook) if workbook else None), problems


def map_workbooks(func: Callable[[Path, str, Limits], T], paths: Sequence[Path], year_dir: Path,
                  limits: Limits, workers: int | None = None,
                  progress: Callable[[int], None] | None = None) -> list[T]:
    """`func(path, rel, limits)` for every path, `rel` being the path relative to `year_dir`
    (as in problems and the JSON), returned in the order of `paths`.

    With more than one worker `func` must be a module-level function and its result picklable.
    `progress(n)` is called in this process as results arrive (n = how many more are done).
    An exception raised by `func` (a bug: read errors are problems, not exceptions) is raised
    here after the pool has been shut down."""
    return list(iter_workbooks(func, paths, year_dir, limits, workers, progress))


def iter_workbooks(func: Callable[[Path, str, Limits], T], paths: Sequence[Path], year_dir: Path,
                   limits: Limits, workers: int | None = None,
                   progress: Callable[[int], None] | None = None) -> Iterator[T]:
    """`map_workbooks`, one result at a time as it arrives (still in the order of `paths`), so
    that this process can check a workbook while the workers read the next ones."""
    jobs = [(Path(p), Path(p).relative_to(year_dir).as_posix()) for p in paths]
    count = worker_count(len(jobs), workers)
    if count == 1:
        for path, rel in jobs:
            yield func(path, rel, limits)
            if progress:
                progress(1)
        return
    chunk = max(1, min(MAX_CHUNK, len(jobs) // (count * 4)))
    with ProcessPoolExecutor(count, mp_context=_context(), initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        try:
            for result in pool.map(func, [p for p, _ in jobs], [r for _, r in jobs],
                                   [limits] * len(jobs), chunksize=chunk):
                yield result
                if progress:
                    progress(1)
        except BaseException:
            # Ctrl-C, a bug, or a caller that stopped early: do not wait for the queued chunks.
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def read_workbooks(paths: Sequence[Path], year_dir: Path, limits: Limits, workers: int | None = None,
                   progress: Callable[[int], None] | None = None) -> list[tuple[Workbook | None, list[Problem]]]:
    """`ingest.read_workbook` for every path, on every core when there are enough files:
    a list of (Workbook or None, problems) in the order of `paths`; each workbook as
    `ingest.for_validation` gives it."""
    return map_workbooks(_read_one, paths, year_dir, limits, workers, progress)


def iter_read_workbooks(paths: Sequence[Path], year_dir: Path, limits: Limits, workers: int | None = None,
                        progress: Callable[[int], None] | None = None
                        ) -> Iterator[tuple[Workbook | None, list[Problem]]]:
    """`read_workbooks`, one workbook at a time as the workers finish them."""
    return iter_workbooks(_read_one, paths, year_dir, limits, workers, progress)


def _context() -> Any:
    import multiprocessing

    # fork: the workers start at once, with the modules this process has already imported
    # (no re-import of reportgen, pandas or calamine per worker). Elsewhere: the platform default.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


# -- PDFs in warm worker processes -------------------------------------------------------------

def _warm_weasyprint() -> None:
    """Import WeasyPrint and render a one-line page: fontconfig, Pango and the user-agent
    stylesheet are then ready when the report arrives."""
    import logging

    from reportgen.render import report as render
    from reportgen.util.gcpause import collection_paused

    # The worker's first page is ours, not the user's: its messages are not theirs either.
    logging.getLogger("weasyprint").disabled = True
    try:
        with collection_paused():
            render.render_pdf("<!DOCTYPE html><p>reportgen</p>")
    finally:
        logging.getLogger("weasyprint").disabled = False


# Set-up functions run in every PDF worker when it starts (see `on_pdf_worker_start`).
_PDF_WORKER_SETUP: list[Callable[[], Any]] = []


def on_pdf_worker_start(setup: Callable[[], Any]) -> None:
    """Run `setup()` in every PDF worker started from now on, before its first page: for
    instance to adjust WeasyPrint in the workers without importing it in this process."""
    _PDF_WORKER_SETUP.append(setup)


def _start_pdf_worker(parent: int, extra: Callable[[], Any] | None) -> None:
    _die_with_parent(parent)
    for setup in [*_PDF_WORKER_SETUP, *([extra] if extra else [])]:
        setup()


def _render_pdf(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    from reportgen.render import report as render
    return render.render_pdf(*args, **kwargs)


def start_pdf_workers(options: Any) -> PdfPool | None:
    """The PDF workers a build of `options` (`reportgen.options.Options`) needs, started now;
    None when it makes no PDF."""
    return PdfPool(jobs=len(options.languages)) if options.pdf else None


class PdfPool:
    """Worker processes that render PDFs with `render.render_pdf`, warmed up at once.

    `jobs` is how many PDFs the build will ask for (the number of languages): the pool starts
    `min(jobs, workers or cores)` processes. `submit(*args, **kwargs)` takes `render.render_pdf`'s
    arguments and returns a Future of the PDF's bytes; `result()` raises what the worker raised
    (a `BuildError` when WeasyPrint's libraries are missing). Leaving the `with` block waits for
    nothing that was not asked for: unfinished warm-ups are cancelled with the pool."""

    def __init__(self, jobs: int = 1, workers: int | None = None, warm: bool = True,
                 initializer: Callable[[], Any] | None = None) -> None:
        self.size = max(1, min(jobs, workers or available_cores()))
        # `initializer` (and what `on_pdf_worker_start` registered) runs once in each worker first.
        self._pool = ProcessPoolExecutor(self.size, mp_context=_context(), initializer=_start_pdf_worker,
                                         initargs=(os.getpid(), initializer))
        self._warming = [self._pool.submit(_warm_weasyprint) for _ in range(self.size)] if warm else []

    def submit(self, *args: Any, **kwargs: Any) -> Future[bytes]:
        return self._pool.submit(_render_pdf, args, kwargs)

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self) -> PdfPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        # On an error (or Ctrl-C) nothing queued is worth finishing.
        self.close(cancel=error is not None)
