"""The distribution ledger: `outputs/<Y>/distribution/ledger.sqlite`, one row per (approval,
Member State) with its address, language, attachment, Message-ID, state and the server's last
reply, and an `events` table of every change of state.

SQLite in WAL mode with synchronous=FULL: a committed state survives a crash or a power cut.
State changes are compare-and-set updates, so two runs at once cannot both claim the same
Member State.
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from reportgen.publish import approval as approvals
from reportgen.publish.distribution import DistributionError, command_for
from reportgen.publish.distribution.message import Planned

if TYPE_CHECKING:  # typing only: the CLI must not pay for this import at start-up
    import sqlite3

DISTRIBUTION_DIR = "distribution"
LEDGER_NAME = "ledger.sqlite"
SCHEMA_VERSION = 1
# Under the year's lock (reportgen.util.lock) no other reportgen command writes the ledger, so
# whoever holds it is another program: say so after a short wait rather than after 30 s.
BUSY_TIMEOUT = 5.0

T = TypeVar("T")


class LedgerDamagedError(DistributionError):
    """The ledger file is not a readable SQLite database."""


class LedgerLockedError(DistributionError):
    """Another program holds the ledger's write lock."""


@dataclass(frozen=True, slots=True)
class LedgerRow:
    approval_id: str
    member_state: str
    email: str
    language: str
    attachment: str
    attachment_sha256: str
    fallback: bool
    message_id: str
    state: str
    attempts: int
    reply: str | None
    updated_at: str
    sent_at: str | None

    @property
    def shown_state(self) -> str:
        return "unknown" if self.state == "sending" else self.state


_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    approval_id       TEXT NOT NULL,
    member_state      TEXT NOT NULL,
    email             TEXT NOT NULL,
    language          TEXT NOT NULL,
    attachment        TEXT NOT NULL,
    attachment_sha256 TEXT NOT NULL,
    fallback          INTEGER NOT NULL,
    message_id        TEXT NOT NULL UNIQUE,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    reply             TEXT,
    updated_at        TEXT NOT NULL,
    sent_at           TEXT,
    PRIMARY KEY (approval_id, member_state)
);
CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    approval_id  TEXT NOT NULL,
    member_state TEXT NOT NULL,
    state        TEXT NOT NULL,
    detail       TEXT
);
"""


def _sqlite_errors_explained(method: Callable[..., T]) -> Callable[..., T]:
    """SQLite's errors become one-line DistributionErrors that say what to do."""

    @functools.wraps(method)
    def explained(self: Ledger, *args: Any, **kwargs: Any) -> T:
        import sqlite3

        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.explain(exc) from None

    return explained


class Ledger:
    """Every message's state, in SQLite (WAL, synchronous=FULL: a committed state survives a
    crash). State changes are compare-and-set updates, so two runs at once cannot both claim
    the same Member State. Every SQLite error comes out as a DistributionError: damaged,
    locked by another program, or not usable, each with what to do."""

    @_sqlite_errors_explained
    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DistributionError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        self._db: sqlite3.Connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error:
            self._db.close()
            raise
        if version == 0:
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            raise DistributionError(f"{path} was written by another version of reportgen (ledger schema "
                                    f"{version}, this one reads {SCHEMA_VERSION})")

    def explain(self, exc: Exception) -> DistributionError:
        import sqlite3

        text = str(exc)
        fix = command_for(self.path.parent.parent, "--reconcile")
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            holders = _lock_holders(self.path)
            who = "; ".join(holders) if holders else "a process this user cannot see"
            return LedgerLockedError(
                f"the distribution ledger {self.path} is locked by another program ({who}); nothing sent. "
                "Close that program (an sqlite3 shell, a backup or sync tool), then run the same command again")
        if type(exc) is sqlite3.DatabaseError or "malformed" in text or "not a database" in text:
            return LedgerDamagedError(
                f"the distribution ledger {self.path} is damaged ({text}); nothing sent. The journal beside it "
                f"holds the same record: run '{fix}' to keep the damaged file aside and rebuild the ledger "
                "from the journal, or restore the ledger from a backup")
        return DistributionError(f"cannot use the distribution ledger {self.path}: {text}; nothing sent")

    @classmethod
    def existing(cls, out_dir: Path) -> Ledger | None:
        path = ledger_path(out_dir)
        return cls(path) if path.exists() else None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def _now() -> str:
        return approvals.iso(approvals.now_utc())

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _event(self, approval_id: str, name: str, state: str, detail: str | None) -> None:
        self._db.execute("INSERT INTO events (at, approval_id, member_state, state, detail) VALUES (?, ?, ?, ?, ?)",
                         (self._now(), approval_id, name, state, detail))

    @_sqlite_errors_explained
    def rows(self, approval_id: str | None = None) -> list[LedgerRow]:
        query = "SELECT * FROM messages" + (" WHERE approval_id = ?" if approval_id else "") + " ORDER BY rowid"
        cursor = self._db.execute(query, (approval_id,) if approval_id else ())
        return [LedgerRow(*row[:6], bool(row[6]), *row[7:]) for row in cursor.fetchall()]

    @_sqlite_errors_explained
    def row(self, approval_id: str, name: str) -> LedgerRow | None:
        found = self._db.execute("SELECT * FROM messages WHERE approval_id = ? AND member_state = ?",
                                 (approval_id, name)).fetchone()
        return LedgerRow(*found[:6], bool(found[6]), *found[7:]) if found else None

    @_sqlite_errors_explained
    def other_mailings(self, approval_id: str) -> dict[str, int]:
        """Messages sent (or possibly sent) under other approvals, by approval id."""
        cursor = self._db.execute("SELECT approval_id, COUNT(*) FROM messages WHERE approval_id != ? "
                                  "AND state IN ('sent', 'sending') GROUP BY approval_id", (approval_id,))
        return dict(cursor.fetchall())

    @_sqlite_errors_explained
    def ensure_pending(self, approval_id: str, planned: list[Planned]) -> None:
        """A row per planned message. Rows not yet sent follow the current list (address,
        language, attachment); a row that is sent or in doubt is history and stays as it is,
        Message-ID included."""
        now = self._now()
        with self._transaction():
            for item in planned:
                s = item.member_state
                values = (s.email, s.language, item.attachment.path, item.attachment.sha256, int(item.fallback))
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO messages (approval_id, member_state, email, language, attachment,"
                    " attachment_sha256, fallback, message_id, state, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                    (approval_id, s.name, *values, item.message_id, now))
                if cursor.rowcount:
                    self._event(approval_id, s.name, "pending", None)
                else:
                    self._db.execute(
                        "UPDATE messages SET email = ?, language = ?, attachment = ?, attachment_sha256 = ?,"
                        " fallback = ? WHERE approval_id = ? AND member_state = ? AND state IN ('pending', 'failed')",
                        (*values, approval_id, s.name))

    @_sqlite_errors_explained
    def _move(self, approval_id: str, name: str, to: str, allowed: tuple[str, ...], reply: str | None,
              count_attempt: bool = False) -> bool:
        now = self._now()
        marks = ", ".join("?" for _ in allowed)
        with self._transaction():
            cursor = self._db.execute(
                f"UPDATE messages SET state = ?, reply = ?, updated_at = ?, attempts = attempts + ?,"
                f" sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
                f" WHERE approval_id = ? AND member_state = ? AND state IN ({marks})",
                (to, reply, now, int(count_attempt), to, now, approval_id, name, *allowed))
            if cursor.rowcount:
                self._event(approval_id, name, to, reply)
        return bool(cursor.rowcount)

    @_sqlite_errors_explained
    def put(self, row: LedgerRow, detail: str) -> None:
        """Write a whole row as it is (replayed from the journal, or reconciled), and its event."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO messages (approval_id, member_state, email, language, attachment, attachment_sha256,"
                " fallback, message_id, state, attempts, reply, updated_at, sent_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (approval_id, member_state) DO UPDATE SET email = excluded.email,"
                " language = excluded.language, attachment = excluded.attachment,"
                " attachment_sha256 = excluded.attachment_sha256, fallback = excluded.fallback,"
                " message_id = excluded.message_id, state = excluded.state, attempts = excluded.attempts,"
                " reply = excluded.reply, updated_at = excluded.updated_at, sent_at = excluded.sent_at",
                (row.approval_id, row.member_state, row.email, row.language, row.attachment,
                 row.attachment_sha256, int(row.fallback), row.message_id, row.state, row.attempts, row.reply,
                 row.updated_at, row.sent_at))
            self._event(row.approval_id, row.member_state, row.state, detail)

    def claim(self, approval_id: str, name: str, resend_unknown: bool = False) -> bool:
        """pending/failed (and, if asked, sending) → sending; False if the row is not there to claim."""
        allowed = ("pending", "failed", "sending") if resend_unknown else ("pending", "failed")
        return self._move(approval_id, name, "sending", allowed, None, count_attempt=True)

    def release(self, approval_id: str, name: str, reply: str) -> None:
        """sending → pending: a transient failure before the message was handed over."""
        self._move(approval_id, name, "pending", ("sending",), reply)

    def mark_sent(self, approval_id: str, name: str, reply: str) -> None:
        self._move(approval_id, name, "sent", ("sending",), reply)

    def mark_failed(self, approval_id: str, name: str, reply: str) -> None:
        self._move(approval_id, name, "failed", ("sending",), reply)

    def mark_unknown(self, approval_id: str, name: str, reply: str) -> None:
        """Stays `sending` (its outcome is not known); the reason is kept for `--status`."""
        self._move(approval_id, name, "sending", ("sending",), reply)

    def confirm_sent(self, approval_id: str, name: str) -> bool:
        return self._move(approval_id, name, "sent", ("sending",),
                          "confirmed as delivered by the operator (--mark-sent)")


def ledger_path(out_dir: Path) -> Path:
    return out_dir / DISTRIBUTION_DIR / LEDGER_NAME


def _lock_holders(path: Path) -> list[str]:
    """`pid N (command line)` of the other processes holding a lock on the ledger or its WAL
    files, from /proc/locks (Linux); [] where that cannot be known."""
    inodes = set()
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        try:
            stat = os.stat(path.parent / name)
        except OSError:
            continue
        inodes.add(f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}")
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            table = handle.read().splitlines()
    except OSError:
        return []
    pids: list[int] = []
    for line in table:
        fields = line.split()
        if "->" in fields or len(fields) < 6:
            continue  # a process waiting for the lock, not holding it
        try:
            pid = int(fields[4])
        except ValueError:
            continue
        if fields[5] in inodes and pid not in (os.getpid(), -1) and pid not in pids:
            pids.append(pid)
    return [f"pid {pid}" + _command_line(pid) for pid in pids]


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return ""
    # Another program's arguments may hold line breaks: the message stays one line.
    text = " ".join(" ".join(w.decode("utf-8", "replace").split()) for w in words)
    return f": {text[:60]}{'...' if len(text) > 60 else ''}" if text else ""
