"""One writer at a time per outputs year (contract 8.7): `build`, `approve` and `distribute` of
the same year never run at once. The second one stops at once with a one-line message naming
the first: its command, process id, host and since when.

    with year_lock(outputs, 2009, "build"):
        ...                                   # write outputs/2009/

The lock is `flock` on `<outputs>/.reportgen-<YEAR>.lock`. The kernel releases it when the
holder's process ends, however it ends (kill -9 included), so a file left behind by a killed
process never blocks anyone; the file is never deleted (deleting a lock file lets two processes
each lock a different file). It lives beside the year folder rather than in it, so that it
stays the same file whatever a command does to the folder (a build may replace the folder
whole). The holder writes its description into the file, and clears it when it is done.

A process forked while the lock is held (a PDF worker) does not keep it: the inherited
descriptor is closed in the child, so workers that outlive a killed build do not block the
next command. An outputs folder this process cannot write to needs no lock: nothing can be
written there by us, and the command itself will say why.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from reportgen.errors import ReportgenError

log = logging.getLogger(__name__)

_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)
_held_descriptors: set[int] = set()  # this process's held locks, closed in forked children


class YearLockedError(ReportgenError):
    """Another command is writing the same outputs year."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) a year's lock."""

    command: str  # build, approve, distribute
    pid: int
    host: str
    since: str  # UTC, ISO 8601

    def describe(self) -> str:
        here = self.host == socket.gethostname()
        where = "" if here else f" on {self.host}"
        ended = ", which has ended: a process it started still holds the lock" if here and not _alive(self.pid) else ""
        return f"'reportgen {self.command}' (pid {self.pid}{where}, since {self.since}{ended})"


def lock_path(outputs: Path, year: int) -> Path:
    """The lock file of `outputs/<year>/` (`outputs` as given by --outputs)."""
    return outputs / f".reportgen-{year}.lock"


@contextmanager
def year_lock(outputs: Path, year: int, command: str) -> Iterator[None]:
    """Hold the lock of `outputs/<year>/` for the block, or raise YearLockedError naming the holder."""
    path = lock_path(outputs, year)
    fd = _open(path)
    if fd is None:
        log.debug("%s cannot be written: no lock needed to write nothing there", path.parent)
        yield
        return
    try:
        _lock_or_raise(fd, path, year, command)
        _held_descriptors.add(fd)
        me = Holder(command, os.getpid(), socket.gethostname(), _now())
        _describe(fd, me)
        log.debug("%s locked by %s", path, me.describe())
        try:
            yield
        finally:
            _held_descriptors.discard(fd)
            _describe(fd, None)
            fcntl.flock(fd, fcntl.LOCK_UN)  # for every descriptor of it, forked ones included
    finally:
        os.close(fd)


def holder(outputs: Path, year: int) -> Holder | None:
    """Who holds the lock of `outputs/<year>/` now, if anyone (this process included)."""
    path = lock_path(outputs, year)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _open(path: Path) -> int | None:
    """A descriptor of the lock file, created if need be; None if the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise ReportgenError(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
    try:  # a read-only folder may still hold the file: lock it so, to wait out a writer elsewhere
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _lock_or_raise(fd: int, path: Path, year: int, command: str) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        first = _read_holder(fd)
        who = first.describe() if first else "another reportgen command (starting or finishing just now)"
        raise YearLockedError(f"the {year} outputs in {path.parent / str(year)} are being written by {who}; "
                              f"'reportgen {command}' did nothing. Run it again when that one has finished "
                              f"(one command at a time per year)") from None


def _describe(fd: int, who: Holder | None) -> None:
    """Write (or clear) the holder's description; a read-only lock file keeps none."""
    data = b"" if who is None else json.dumps(
        {"command": who.command, "pid": who.pid, "host": who.host, "since": who.since}).encode("utf-8") + b"\n"
    try:
        os.ftruncate(fd, 0)
        if data:
            os.pwrite(fd, data, 0)
    except OSError:
        pass


def _read_holder(fd: int) -> Holder | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return Holder(str(data["command"]), int(data["pid"]), str(data["host"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not yet written, or just cleared


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _close_inherited() -> None:
    # Closing the child's copy leaves the parent's lock in place (flock belongs to the open file,
    # which the parent still has open), and the lock no longer outlives the parent in the child.
    for fd in list(_held_descriptors):
        try:
            os.close(fd)
        except OSError:
            pass
    _held_descriptors.clear()


os.register_at_fork(after_in_child=_close_inherited)
