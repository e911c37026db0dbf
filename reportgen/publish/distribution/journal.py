"""The distribution journal: `outputs/<Y>/distribution-journal.jsonl`, the second record of the
mailing, kept so that the ledger is never the only one (reportgen.publish.distribution.records
checks them against each other).

One JSON object per line, one line per change of a message's state, with everything needed to
rebuild the ledger's row (address, attachment and its hash, Message-ID, the server's reply).
It is only ever appended to, and each line is on disk (fsync) before the ledger takes the same
change, so after a crash the journal is ahead of the ledger by at most the change that was in
flight. It lives beside the `distribution/` folder rather than in it, so that deleting that
folder (say, to clear the dry-run previews) leaves it.

A last line without its newline is a write that a crash cut short: it was never acted upon,
and it is dropped. Any other line that cannot be read makes the journal damaged.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from reportgen.publish.distribution import DistributionError, command_for

log = logging.getLogger(__name__)

JOURNAL_NAME = "distribution-journal.jsonl"
STATES = ("pending", "sending", "sent", "failed")


class JournalDamagedError(DistributionError):
    """A line of the journal cannot be read."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One change of one message's state, as the ledger records it."""

    at: str
    approval_id: str
    member_state: str
    state: str  # pending, sending (an attempt begins, or its outcome is unknown), sent, failed
    email: str
    language: str
    attachment: str
    attachment_sha256: str
    fallback: bool
    message_id: str
    reply: str | None

    @property
    def key(self) -> tuple[str, str]:
        return self.approval_id, self.member_state

    def line(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"

    @classmethod
    def parse(cls, text: str) -> Entry:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        entry = cls(**{f.name: data[f.name] for f in fields(cls)})
        if entry.state not in STATES:
            raise ValueError(f"unknown state {entry.state!r}")
        return entry


def journal_path(out_dir: Path) -> Path:
    return out_dir / JOURNAL_NAME


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._checked_tail = False

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> list[Entry]:
        """Every entry, oldest first ([] if there is no journal)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise DistributionError(f"cannot read the distribution journal {self.path}: "
                                    f"{exc.strerror or exc}") from exc
        lines = data.split(b"\n")
        if lines[-1]:  # a crash while writing it, or (for a reader) a write in progress
            log.debug("%s: the last line is not complete; it is ignored", self.path)
        entries = []
        for number, raw in enumerate(lines[:-1], start=1):
            try:
                entries.append(Entry.parse(raw.decode("utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                fix = command_for(self.path.parent, "--reconcile")
                raise JournalDamagedError(
                    f"the distribution journal {self.path} line {number} is damaged ({_reason(exc)}); nothing "
                    f"sent. The ledger holds the same record: run '{fix}' to keep the damaged journal aside and "
                    "rebuild it from the ledger, or restore it from a backup") from None
        return entries

    def append(self, entry: Entry) -> None:
        """Add one entry and wait until it is on disk."""
        new = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                if not self._checked_tail:
                    self._drop_torn_tail(fd)
                    self._checked_tail = True
                os.write(fd, entry.line())
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:  # the file's name must survive a crash too
                _fsync_directory(self.path.parent)
        except OSError as exc:
            raise DistributionError(f"cannot write the distribution journal {self.path}: {exc.strerror or exc}; "
                                    "nothing more is sent until it can be written") from exc

    def _drop_torn_tail(self, fd: int) -> None:
        size = os.fstat(fd).st_size
        if not size:
            return
        with self.path.open("rb") as handle:
            data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            os.ftruncate(fd, keep)
            log.warning("%s: dropped a last line that a crash had cut short", self.path)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}"
    return str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else str(exc)


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
