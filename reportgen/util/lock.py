"""One writer at a time per outputs year (contract 8.7): `build`, `approve` and `distribute` of
the same year never run at once. The second one stops at once with a one-line message naming
the first: its command, process id, host and since when.

    with year_lock(outputs, 2009, "build"):
        ...                                   # write outputs/2009/

The lock is `flock` on `<outputs>/.reportgen-<YEAR>.lock`. The kernel releases it when the
holder's process ends, however it ends (kill -9 included), so a file left behind by a killed
process never blocks anyone. The holder writes its description into the file and removes the
file when it is done; whoever locks a file checks that the name still leads to it, so two
processes never each hold a different file. It lives beside the year folder rather than in it,
so that it stays the same file whatever a command does to the folder (a build may replace the
folder whole). A command that made the outputs folder only to hold the lock removes it again.

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
_ATTEMPTS = 20  # to open and lock a lock file that its last holder removes at that moment
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
        ended = ", which has ended: a process it started still holds the lock" if here and not is_running(self.pid) else ""
        return f"'reportgen {self.command}' (pid {self.pid}{where}, since {self.since}{ended})"


def lock_path(outputs: Path, year: int) -> Path:
    """The lock file of `outputs/<year>/` (`outputs` as given by --outputs)."""
    return outputs / f".reportgen-{year}.lock"


@contextmanager
def year_lock(outputs: Path, year: int, command: str) -> Iterator[None]:
    """Hold the lock of `outputs/<year>/` for the block, or raise YearLockedError naming the holder.
    Folders made only to hold the lock file are removed again if the block left them empty."""
    path = lock_path(outputs, year)
    made = _missing_folders(path.parent)
    try:
        fd, writable = _acquire(path, year, command)
        if fd is None:
            log.debug("%s cannot be written: no lock needed to write nothing there", path.parent)
            yield
            return
        try:
            _held_descriptors.add(fd)
            me = Holder(command, os.getpid(), socket.gethostname(), _now())
            if writable:
                _describe(fd, me)
            log.debug("%s locked by %s", path, me.describe())
            yield
        finally:
            _held_descriptors.discard(fd)
            if writable:
                # Removed while still held: whoever opened it meanwhile finds, once it has the
                # lock, that the name now leads elsewhere, and starts again (see _acquire).
                path.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)  # for every descriptor of it, forked ones included
            os.close(fd)
    finally:
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty: the command wrote something there


def _acquire(path: Path, year: int, command: str) -> tuple[int | None, bool]:
    """A descriptor of the locked lock file and whether it is writable, or (None, False) if its
    folder cannot be written. The lock counts only if the name still leads to the file locked."""
    for _ in range(_ATTEMPTS):
        writable = True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except (FileNotFoundError, FileExistsError):
            continue  # its folder was being removed by the last holder, which made it
        except OSError as exc:
            if exc.errno not in _UNWRITABLE:
                raise ReportgenError(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
            try:  # a read-only folder may still hold the file: lock it so, to wait out a writer elsewhere
                fd, writable = os.open(path, os.O_RDONLY | os.O_CLOEXEC), False
            except OSError:
                return None, False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            first = _read_holder(fd)
            os.close(fd)
            who = first.describe() if first else "another reportgen command (starting or finishing just now)"
            raise YearLockedError(f"the {year} outputs in {path.parent / str(year)} are being written by {who}; "
                                  f"'reportgen {command}' did nothing. Run it again when that one has finished "
                                  f"(one command at a time per year)") from None
        if _same_file(fd, path):
            return fd, writable
        os.close(fd)
    raise ReportgenError(f"could not take the lock file {path}: it kept being replaced; run the command again")


def _same_file(fd: int, path: Path) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those above it that do not exist yet, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.insert(0, folder)
        folder = folder.parent
    return missing


def _describe(fd: int, who: Holder) -> None:
    """Write the holder's description into the lock file, for the message of whoever comes next."""
    data = json.dumps({"command": who.command, "pid": who.pid, "host": who.host, "since": who.since})
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data.encode("utf-8") + b"\n", 0)
    except OSError:
        pass


def _read_holder(fd: int) -> Holder | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return Holder(str(data["command"]), int(data["pid"]), str(data["host"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not yet written, or just cleared


def is_running(pid: int) -> bool:
    """Whether a process with this pid exists (another user's counts as running)."""
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
