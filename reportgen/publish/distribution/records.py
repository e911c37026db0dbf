"""The ledger and the journal together: the mailing's two records, so that no single file going
missing, empty, damaged or back to an older copy can make a Member State get the report twice.

Every change of a message's state is appended to the journal and fsync'd first, then committed
to the ledger; in particular both say `sending` before the SMTP transaction begins, and the
server's answer is on disk in the journal before the ledger takes it. So the journal is never
behind the ledger, and after a crash it is ahead by at most the one change that was in flight:
`Records.checked` replays that change into the ledger. Any other difference means a record was
lost or replaced: nothing is sent, and the message names the command that resolves it,
`reportgen distribute --reconcile`, which rebuilds each record from both, keeping for every
message the state that rules out a second copy (sent, then unknown, then failed, then pending).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from reportgen.publish import approval as approvals
from reportgen.publish.distribution import DistributionError, command_for
from reportgen.publish.distribution.journal import Entry, Journal, JournalDamagedError, journal_path
from reportgen.publish.distribution.ledger import Ledger, LedgerDamagedError, LedgerRow, ledger_path

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (approval id, Member State)

# Which state wins when the records differ: the one that rules out sending the message again.
STRENGTH = {"pending": 0, "failed": 1, "sending": 2, "sent": 3}
# The moves a run records; a journal ahead of the ledger by one of these is a crash's trace.
MOVES = {("pending", "sending"), ("failed", "sending"), ("sending", "sent"), ("sending", "failed"),
         ("sending", "pending")}
SHOWN_LIMIT = 10  # Member States named in a one-line message; the rest are counted


class RecordsDisagreeError(DistributionError):
    """The ledger and the journal tell different stories; nothing is sent until they are reconciled."""


def shown(state: str) -> str:
    return "unknown" if state == "sending" else state


@dataclass(frozen=True, slots=True)
class Disagreement:
    approval_id: str
    member_state: str
    ledger_state: str  # as stored: pending (or no row), sending, sent, failed
    journal_state: str

    def describe(self) -> str:
        return f"{self.member_state}: ledger {shown(self.ledger_state)}, journal {shown(self.journal_state)}"


@dataclass(frozen=True, slots=True)
class Comparison:
    replay: tuple[Entry, ...]  # journal entries one move ahead of the ledger: a crash's trace
    disagreements: tuple[Disagreement, ...]


def compare(rows: list[LedgerRow], entries: list[Entry]) -> Comparison:
    """Set each message's ledger row beside its journal history. A message missing from a
    record counts as `pending` there."""
    ledger = {(r.approval_id, r.member_state): r for r in rows}
    history = _histories(entries)
    replay: list[Entry] = []
    disagreements: list[Disagreement] = []
    for key in [*history, *(k for k in ledger if k not in history)]:
        in_ledger = ledger[key].state if key in ledger else "pending"
        past = history.get(key, [])
        in_journal = past[-1].state if past else "pending"
        if in_ledger == in_journal:
            continue
        before = past[-2].state if len(past) >= 2 else "pending"
        if past and before == in_ledger and (before, in_journal) in MOVES:
            replay.append(past[-1])
        else:
            disagreements.append(Disagreement(*key, in_ledger, in_journal))
    return Comparison(tuple(replay), tuple(disagreements))


@dataclass(frozen=True, slots=True)
class View:
    """The records as a reading command sees them: the ledger's rows with the crash's trace
    replayed (in memory only), and what still disagrees."""

    rows: dict[Key, LedgerRow]
    disagreements: tuple[Disagreement, ...]
    problem: str | None  # the message a writing command would stop with, if any

    def row(self, approval_id: str, name: str) -> LedgerRow | None:
        return self.rows.get((approval_id, name))

    def of(self, approval_id: str) -> list[LedgerRow]:
        return [r for r in self.rows.values() if r.approval_id == approval_id]


def view(out_dir: Path) -> View:
    """Read both records of `out_dir` (outputs/<Y>/) without creating or changing anything.
    `distribute --status` may read while a mailing runs: the ledger is read before the journal
    (which is never behind it), and a difference is read again before it is believed, since a
    message may have moved twice between the two reads."""
    for _ in range(3):
        ledger = Ledger.existing(out_dir)
        rows: list[LedgerRow] = []
        if ledger is not None:
            with ledger:
                rows = ledger.rows()
        entries = Journal(journal_path(out_dir)).read()
        comparison = compare(rows, entries)
        if not comparison.disagreements:
            break
    current = {(r.approval_id, r.member_state): r for r in rows}
    for entry in comparison.replay:
        current[entry.key] = replayed(entry, current.get(entry.key))
    problem = None
    if comparison.disagreements:
        problem = str(_disagree(out_dir, comparison.disagreements, ledger is not None, rows, entries))
    return View(current, comparison.disagreements, problem)


class Records:
    """Both records, open for a writing command; the moves of a message as `Ledger` has them,
    each written to the journal first."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.journal = Journal(journal_path(out_dir))
        self.ledger = Ledger(ledger_path(out_dir))

    @classmethod
    def checked(cls, out_dir: Path) -> Records:
        """Open both records, replay a crash's trace, and refuse (RecordsDisagreeError) when
        they differ in any other way."""
        entries = Journal(journal_path(out_dir)).read()
        existed = ledger_path(out_dir).exists()
        records = cls(out_dir)
        try:
            rows = records.ledger.rows()
            comparison = compare(rows, entries)
            if comparison.disagreements:
                raise _disagree(out_dir, comparison.disagreements, existed, rows, entries)
            for entry in comparison.replay:
                records.ledger.put(replayed(entry, records.ledger.row(*entry.key)),
                                   "replayed from the journal after an interrupted run")
                log.warning("%s: %s recovered from the journal (the last run stopped before recording it)",
                            entry.member_state, shown(entry.state))
        except BaseException:
            records.close()
            raise
        return records

    def close(self) -> None:
        self.ledger.close()

    def claim(self, approval_id: str, name: str, resend_unknown: bool = False) -> bool:
        """pending/failed (and, if asked, sending) → sending, in both records; False if the
        message is not there to claim."""
        row = self.ledger.row(approval_id, name)
        allowed = ("pending", "failed", "sending") if resend_unknown else ("pending", "failed")
        if row is None or row.state not in allowed:
            return False
        self.journal.append(entry_of(row, "sending", None))
        try:
            claimed = self.ledger.claim(approval_id, name, resend_unknown)
        except DistributionError:
            self.journal.append(entry_of(row, row.state, row.reply))  # never attempted after all
            raise
        if not claimed:  # settled meanwhile: the journal follows the ledger back
            now = self.ledger.row(approval_id, name)
            assert now is not None
            self.journal.append(entry_of(now, now.state, now.reply))
        return claimed

    def release(self, approval_id: str, name: str, reply: str) -> None:
        """sending → pending: a transient failure before the message was handed over."""
        self._settle(approval_id, name, "pending", reply, self.ledger.release)

    def mark_sent(self, approval_id: str, name: str, reply: str) -> None:
        self._settle(approval_id, name, "sent", reply, self.ledger.mark_sent)

    def mark_failed(self, approval_id: str, name: str, reply: str) -> None:
        self._settle(approval_id, name, "failed", reply, self.ledger.mark_failed)

    def mark_unknown(self, approval_id: str, name: str, reply: str) -> None:
        """Stays `sending` (its outcome is not known); the reason is kept for `--status`."""
        self._settle(approval_id, name, "sending", reply, self.ledger.mark_unknown)

    def confirm_sent(self, approval_id: str, name: str) -> bool:
        """sending → sent on the operator's word; False if the message is not of unknown outcome."""
        row = self.ledger.row(approval_id, name)
        if row is None or row.state != "sending":
            return False
        reply = "confirmed as delivered by the operator (--mark-sent)"
        self.journal.append(entry_of(row, "sent", reply))
        return self.ledger.confirm_sent(approval_id, name)

    def _settle(self, approval_id: str, name: str, state: str, reply: str,
                move: Callable[[str, str, str], None]) -> None:
        row = self.ledger.row(approval_id, name)
        assert row is not None and row.state == "sending", (name, row)
        self.journal.append(entry_of(row, state, reply))
        move(approval_id, name, reply)


# ------------------------------------------------------------------------------------ reconcile

@dataclass(frozen=True, slots=True)
class Reconciled:
    ledger_rows: int  # rows written into the ledger from the journal
    journal_entries: int  # entries added to the journal from the ledger
    set_aside: tuple[Path, ...]  # damaged files, renamed and kept
    counts: dict[str, int]  # every message of every approval, by state as shown


def reconcile(out_dir: Path) -> Reconciled:
    """Make the two records of `out_dir` agree: each message takes the state, of the two, that
    rules out a second copy. A damaged record is renamed aside and rebuilt from the other."""
    journal_file, ledger_file = journal_path(out_dir), ledger_path(out_dir)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # when it was found, not SOURCE_DATE_EPOCH
    damaged: list[Path] = []
    try:
        entries = Journal(journal_file).read()
    except JournalDamagedError:
        entries, damaged = [], [journal_file]
    try:
        with Ledger(ledger_file) as probe:
            probe.rows()
    except LedgerDamagedError:
        damaged.append(ledger_file)
    if len(damaged) == 2:
        raise DistributionError(f"both records of the mailing are damaged ({journal_file}, {ledger_file}); "
                                "restore one of them from a backup, then run this again")
    set_aside = tuple(_set_aside(path, stamp) for path in damaged)
    records = Records(out_dir)
    written = added = 0
    try:
        rows = {(r.approval_id, r.member_state): r for r in records.ledger.rows()}
        history = _histories(entries)
        for key in [*history, *(k for k in rows if k not in history)]:
            row, past = rows.get(key), history.get(key, [])
            in_ledger = row.state if row else "pending"
            in_journal = past[-1].state if past else "pending"
            if in_ledger == in_journal:
                continue
            if STRENGTH[in_journal] > STRENGTH[in_ledger]:
                attempts = max(row.attempts if row else 0, sum(e.state == "sending" for e in past))
                records.ledger.put(replayed(past[-1], row, attempts), "reconciled from the journal")
                written += 1
            else:
                assert row is not None
                records.journal.append(entry_of(row, row.state, row.reply))
                added += 1
        counts = {"sent": 0, "failed": 0, "pending": 0, "unknown": 0}
        for r in records.ledger.rows():
            counts[r.shown_state] += 1
    finally:
        records.close()
    return Reconciled(written, added, set_aside, counts)


# ------------------------------------------------------------------------------------ helpers

def entry_of(row: LedgerRow, state: str, reply: str | None) -> Entry:
    """The journal entry for `row` moving to `state`."""
    return Entry(at=approvals.iso(approvals.now_utc()), approval_id=row.approval_id, member_state=row.member_state,
                 state=state, email=row.email, language=row.language, attachment=row.attachment,
                 attachment_sha256=row.attachment_sha256, fallback=row.fallback, message_id=row.message_id,
                 reply=reply)


def replayed(entry: Entry, before: LedgerRow | None, attempts: int | None = None) -> LedgerRow:
    """The ledger row after `entry`'s move (`before`: the row as it was, if any)."""
    if attempts is None:
        attempts = (before.attempts if before else 0) + (entry.state == "sending")
    sent_at = entry.at if entry.state == "sent" else (before.sent_at if before else None)
    return LedgerRow(entry.approval_id, entry.member_state, entry.email, entry.language, entry.attachment,
                     entry.attachment_sha256, entry.fallback, entry.message_id, entry.state, attempts,
                     entry.reply, entry.at, sent_at)


def _histories(entries: list[Entry]) -> dict[Key, list[Entry]]:
    history: dict[Key, list[Entry]] = {}
    for entry in entries:
        history.setdefault(entry.key, []).append(entry)
    return history


def _disagree(out_dir: Path, disagreements: tuple[Disagreement, ...], ledger_existed: bool,
              rows: list[LedgerRow], entries: list[Entry]) -> RecordsDisagreeError:
    ledger, journal = ledger_path(out_dir), journal_path(out_dir)
    if not ledger_existed:
        cause = f"the ledger {ledger} is missing"
    elif not rows:
        cause = f"the ledger {ledger} is empty"
    elif not journal.exists():
        cause = f"the journal {journal} is missing"
    elif not entries:
        cause = f"the journal {journal} is empty"
    else:
        cause = f"the ledger {ledger} or the journal {journal} was replaced, perhaps by an older copy"
    listed = "; ".join(d.describe() for d in disagreements[:SHOWN_LIMIT])
    if len(disagreements) > SHOWN_LIMIT:
        listed += f"; and {len(disagreements) - SHOWN_LIMIT} more"
    return RecordsDisagreeError(
        f"the two records of the {out_dir.name} mailing disagree for {len(disagreements)} message(s) ({listed}): "
        f"{cause}. Nothing is sent until they agree: restore it from a backup, or run "
        f"'{command_for(out_dir, '--reconcile')}' to rebuild each record from both (a message that either one "
        "records as sent or of unknown outcome stays so, and is not sent again)")


def _set_aside(path: Path, stamp: str) -> Path:
    """Rename a damaged record (and SQLite's files beside it) out of the way, keeping it."""
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while target.exists():  # never over an earlier damaged copy
        number += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    log.info("%s is damaged: kept as %s", path, target)
    return target
