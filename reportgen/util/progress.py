"""A one-line progress display on stderr for long runs (many workbooks, several languages,
distribution), and silence everywhere else.

    with Progress("Reading workbooks", total=len(paths)) as progress:
        for path in paths:
            ...
            progress.advance()

It draws only when its stream is a terminal, `CI` is not set, `TERM` is not `dumb` and
`REPORTGEN_PROGRESS` is not `0`: piped output, log files, cron mails and CI logs never see a
carriage return. The line is redrawn at most every `interval` seconds, so the display costs
nothing measurable even at thousands of steps, and it is erased when the block ends, leaving
the terminal as it was. A message logged to the same stream while the line is shown first
erases it (a logging filter on the root logger's handlers), so warnings stay readable; the
line comes back at the next step. No dependency: plain `\\r` and ANSI erase-line.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from types import TracebackType
from typing import TextIO

BAR_WIDTH = 24
ERASE_LINE = "\r\x1b[2K"


def wanted(stream: TextIO) -> bool:
    """Whether a progress display belongs on `stream`: a terminal, outside CI."""
    if os.environ.get("CI") or os.environ.get("REPORTGEN_PROGRESS") == "0":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    """`advance()` steps of `total` (or an open count when `total` is None), shown on one line
    as `label [#####-----] 12/40 30%  3.1 s` while the block runs."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None,
                 enabled: bool | None = None, interval: float = 0.1) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.interval = interval
        self._started = time.monotonic()
        self._drawn_at = float("-inf")
        self._shown = False
        self._handlers: list[logging.Handler] = []

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        if self.enabled:
            # Handlers writing to our stream erase the line before each record they print.
            self._handlers = [h for h in logging.getLogger().handlers
                              if getattr(h, "stream", None) is self.stream]
            for handler in self._handlers:
                handler.addFilter(self._before_log)
        self._draw(force=True)
        return self

    def _before_log(self, record: logging.LogRecord) -> bool:
        if self._shown:
            self._erase()
        return True

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def __call__(self, steps: int = 1) -> None:
        """So that a Progress can be passed where a `progress(n)` callback is expected."""
        self.advance(steps)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        self._draw()

    def set_label(self, label: str) -> None:
        self.label = label
        self._draw(force=True)

    def line(self) -> str:
        """The text of the display as it is now (without the carriage return)."""
        elapsed = f"{time.monotonic() - self._started:.1f} s"
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = round(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self.label} [{bar}] {self.done}/{self.total} {share:4.0%}  {elapsed}"
        return f"{self.label}: {self.done}  {elapsed}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < self.interval and self.done != self.total:
            return
        self._drawn_at = now
        try:
            self.stream.write(ERASE_LINE + self.line())
            self.stream.flush()
            self._shown = True
        except (OSError, ValueError):  # the terminal went away: stop drawing, never fail the run
            self.enabled = False

    def _erase(self) -> None:
        try:
            self.stream.write(ERASE_LINE)
            self.stream.flush()
        except (OSError, ValueError):
            pass
        self._shown = False
        self._drawn_at = float("-inf")  # redraw at the next step

    def close(self) -> None:
        """Erase the line (the terminal is left as it was); drawing stops."""
        if self.enabled and self._shown:
            self._erase()
        for handler in self._handlers:
            handler.removeFilter(self._before_log)
        self._handlers = []
        self.enabled = False
