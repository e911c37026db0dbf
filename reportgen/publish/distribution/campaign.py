"""The mailing as plain functions, one per thing the `distribute` command does:

    distribute(options)          send what is still to be sent; -> Summary
    preview(options)             write what would be sent now as .eml files; -> Preview
    status(selection)            each Member State's state; -> StatusReport
    mark_sent(selection, names)  record messages of unknown outcome as sent; -> Marked
    reconcile(selection)         make the ledger and the journal agree again; -> Reconciled

`distribute` and `preview` refuse (DistributionError) unless the latest approval still matches
the files; every function but `reconcile` refuses while the two records disagree (`status`
says so instead). None prints: the command line (reportgen/cli/publish.py) says what came of it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportgen.publish import approval as approvals
from reportgen.publish.distribution import DistributionError
from reportgen.publish.distribution import records as two_records
from reportgen.publish.distribution.journal import journal_path
from reportgen.publish.distribution.ledger import DISTRIBUTION_DIR, LedgerRow, ledger_path
from reportgen.publish.distribution.message import (Planned, compose, load_attachments, message_bytes,
                                                    plan_messages)
from reportgen.publish.distribution.records import Reconciled, Records
from reportgen.publish.distribution.transport import ConnectFailed, RetryPolicy, SmtpLink
from reportgen.publish.memberstates import MemberState, load_list, select

log = logging.getLogger(__name__)

DRY_RUN_DIR = "dry-run"
# A server that hangs up at the RCPT TO of this many Member States in a row is taken to be
# refusing everyone, and the run stops; fewer, and each is failed alone while the rest go.
RCPT_DROPS_BEFORE_STOP = 3
DEFAULT_SENDER = "ITU General Secretariat <sg-reports@reportgen.example>"  # previews only

# Called before each message is attempted: (messages begun, messages to send, Member State).
StepCallback = Callable[[int, int, str], None]


# ------------------------------------------------------------------------------------ options

@dataclass(frozen=True, slots=True)
class Selection:
    """Which year's outputs a command is about, and which Member States of which list."""

    outputs: Path  # the folder holding the year folders, as --outputs
    year: int
    list_file: Path | None = None  # None: the list that ships with reportgen
    only: str | None = None  # comma-separated names, as --only

    @property
    def out_dir(self) -> Path:
        return self.outputs / str(self.year)

    def member_states(self) -> tuple[MemberState, ...]:
        states = load_list(self.list_file)
        return select(states, self.only) if self.only else states


@dataclass(frozen=True, slots=True)
class Sender:
    header: str  # what Member States see, e.g. `ITU <sg@itu.int>`
    address: str  # the envelope sender, e.g. `sg@itu.int`

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    credentials: tuple[str, str] | None = field(default=None, repr=False)  # (user, password)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class DistributeOptions:
    selection: Selection
    sender: Sender
    server: Server | None = None  # None: a preview only
    retry: RetryPolicy = RetryPolicy()
    resend_unknown: bool = False  # send again the messages whose outcome is unknown
    supersede: bool = False  # send a newly approved version to those that had an earlier one
    plan_file: Path | None = None  # another plan, for the letter's title


# ------------------------------------------------------------------------------------ results

@dataclass(frozen=True, slots=True)
class Summary:
    """What a `distribute` run came to. `counts`: sent/failed/pending/unknown over the selection."""

    approval: approvals.Approval
    sent: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (Member State, the server's reply)
    unknown: tuple[tuple[str, str], ...]  # (Member State, Message-ID)
    already_sent: int
    aborted: str | None
    counts: dict[str, int]

    @property
    def complete(self) -> bool:
        return not (self.counts["failed"] or self.counts["pending"] or self.counts["unknown"])


@dataclass(frozen=True, slots=True)
class Preview:
    folder: Path
    written: int
    skipped: int  # already sent or of unknown outcome
    fallback: int  # messages with the English PDF standing in for their language


@dataclass(frozen=True, slots=True)
class StatusLine:
    member_state: MemberState
    row: LedgerRow | None  # None: not yet attempted
    journal_state: str | None = None  # what the journal says, where it disagrees with the ledger


@dataclass(frozen=True, slots=True)
class StatusReport:
    year: int
    approval: approvals.Approval | None  # the latest, if any
    lines: tuple[StatusLine, ...]
    counts: dict[str, int]
    earlier: dict[str, int]  # approval id → messages sent or in doubt under it
    problem: str | None = None  # why a writing command would refuse (the records disagree)


@dataclass(frozen=True, slots=True)
class Marked:
    recorded: tuple[str, ...]
    refused: tuple[str, ...]  # not of unknown outcome: left as they were


# ------------------------------------------------------------------------------------ the commands

def distribute(options: DistributeOptions, on_step: StepCallback | None = None) -> Summary:
    """Send each selected Member State its message, unless it was sent (or may have been)
    already; failed and pending ones are sent again. Every step goes into both records
    (journal first, then ledger), which must agree before anything is sent."""
    if options.server is None:
        raise DistributionError("no mail server given")
    selection = options.selection
    states = selection.member_states()
    approved = _valid_approval(selection)
    planned = _plan(options, approved, states)
    payload = _renderer(options, approved)
    records = Records.checked(selection.out_dir)
    link = SmtpLink(options.server.host, options.server.port, options.retry.timeout, options.server.credentials)
    try:
        ledger = records.ledger
        earlier = ledger.other_mailings(approved.id)
        if earlier and not options.supersede:
            listed = ", ".join(f"approval {a}: {n}" for a, n in earlier.items())
            raise DistributionError(f"Member States already received an earlier approved version ({listed}); "
                                    f"approval {approved.id} is another version. To send it to them as well, "
                                    "add --supersede")
        ledger.ensure_pending(approved.id, planned)
        items: list[tuple[Planned, str]] = []
        already_sent = 0
        unknown: list[tuple[str, str]] = []
        for item in planned:
            row = ledger.row(approved.id, item.member_state.name)
            assert row is not None
            if row.state == "sent":
                already_sent += 1
            elif row.state == "sending" and not options.resend_unknown:
                unknown.append((item.member_state.name, row.message_id))
            else:
                # The Message-ID stored with the row wins: the one the server may have seen.
                items.append((item, row.message_id))
        tally = send_all(records, link, approved.id, items, payload, options.sender.address, options.retry,
                         resend_unknown=options.resend_unknown, on_step=on_step)
        counts = _counts(ledger.rows(approved.id), states)
    finally:
        link.close()
        records.close()
    return Summary(approved, tuple(tally.sent), tuple(tally.failed), tuple(unknown + tally.unknown),
                   already_sent, tally.aborted, counts)


def preview(options: DistributeOptions) -> Preview:
    """Write what would be sent now as .eml files under outputs/<Y>/distribution/dry-run/;
    touch neither the server nor the records."""
    from reportgen.pipeline.write import write_all

    selection = options.selection
    states = selection.member_states()
    approved = _valid_approval(selection)
    planned = _plan(options, approved, states)
    payload = _renderer(options, approved)
    recorded = two_records.view(selection.out_dir)
    if recorded.problem:
        raise two_records.RecordsDisagreeError(recorded.problem)
    folder = selection.out_dir / DISTRIBUTION_DIR / DRY_RUN_DIR
    for old in folder.glob("*.eml") if folder.is_dir() else ():
        old.unlink()  # a preview shows this run only
    written = skipped = 0
    for item in planned:
        row = recorded.row(approved.id, item.member_state.name)
        if row and row.state in ("sent", "sending"):
            skipped += 1
            continue
        mid = row.message_id if row else item.message_id
        write_all(folder, {f"{item.member_state.stem}.eml": payload(item, mid)})
        written += 1
    return Preview(folder, written, skipped, sum(p.fallback for p in planned))


def status(selection: Selection) -> StatusReport:
    """Each selected Member State's state under the latest approval. Reads only."""
    states = selection.member_states()
    recorded = two_records.view(selection.out_dir)
    latest = (approvals.read_ledger(selection.out_dir) or [None])[-1]
    rows = recorded.of(latest.id) if latest else []
    earlier: dict[str, int] = {}
    for row in recorded.rows.values():
        if latest and row.approval_id != latest.id and row.state in ("sent", "sending"):
            earlier[row.approval_id] = earlier.get(row.approval_id, 0) + 1
    by_name = {r.member_state: r for r in rows}
    journal = {d.member_state: d.journal_state for d in recorded.disagreements if latest and d.approval_id == latest.id}
    lines = tuple(StatusLine(s, by_name.get(s.name), journal.get(s.name)) for s in states)
    return StatusReport(selection.year, latest, lines, _counts(rows, states), earlier, recorded.problem)


def mark_sent(selection: Selection, names: str) -> Marked:
    """Record the named messages of unknown outcome as sent (the operator found them in the
    server's log). Others are left as they were and returned as refused."""
    states = select(selection.member_states(), names)
    latest = (approvals.read_ledger(selection.out_dir) or [None])[-1]
    if latest is None or not (ledger_path(selection.out_dir).exists() or journal_path(selection.out_dir).exists()):
        raise DistributionError(f"nothing has been distributed for {selection.year} yet")
    records = Records.checked(selection.out_dir)
    try:
        refused = tuple(s.name for s in states if not records.confirm_sent(latest.id, s.name))
    finally:
        records.close()
    return Marked(tuple(s.name for s in states if s.name not in refused), refused)


def reconcile(selection: Selection) -> Reconciled:
    """Make the ledger and the journal of the year agree again (see records.reconcile)."""
    return two_records.reconcile(selection.out_dir)


# ------------------------------------------------------------------------------------ sending

@dataclass
class _Tally:
    """What send_all did, collected as it goes."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    aborted: str | None = None


def send_all(records: Records, link: SmtpLink, approval_id: str, items: list[tuple[Planned, str]],
             render: Callable[[Planned, str], bytes], sender: str, policy: RetryPolicy,
             resend_unknown: bool = False, sleep: Callable[[float], None] = time.sleep,
             on_step: StepCallback | None = None) -> _Tally:
    """Send each (planned message, its Message-ID) once, recording every step in both records.
    `render` makes a message's bytes just before it is sent (not all 191 PDFs at once).

    Stops early (`aborted`) when the server cannot be reached or keeps dropping the
    connection: the rest stay pending for the next run. A Member State whose own address makes
    the server hang up (at RCPT TO, every attempt) is failed with that reason and the run goes
    on with the next, so that one address cannot hold up everyone after it.
    """
    tally = _Tally()
    dropped_in_a_row = 0  # Member States whose RCPT TO made the server hang up, one after another
    for number, (item, mid) in enumerate(items, start=1):
        name = item.member_state.name
        if on_step:
            on_step(number, len(items), name)
        payload = render(item, mid)
        delay = policy.delay
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                link.ensure_open()
            except ConnectFailed as exc:
                if exc.permanent or last:
                    tally.aborted = f"{exc} (after {attempt} attempt(s))"
                    return tally
                log.warning("%s; trying again in %.3g s", exc, delay)
                sleep(delay)
                delay *= 2
                continue
            if not records.claim(approval_id, name, resend_unknown):
                break  # another run has it, or it was settled meanwhile
            outcome = link.transmit(sender, item.member_state.email, payload)
            if outcome.kind == "sent":
                records.mark_sent(approval_id, name, outcome.reply)
                dropped_in_a_row = 0
                tally.sent.append(name)
                log.info("sent to %s <%s>: %s %s", name, item.member_state.email, item.attachment.path, mid)
                break
            if outcome.kind == "unknown":
                records.mark_unknown(approval_id, name, outcome.reply)
                tally.unknown.append((name, mid))
                log.warning("%s: %s; Message-ID %s", name, outcome.reply, mid)
                break
            if outcome.kind == "permanent" or last:
                records.mark_failed(approval_id, name, outcome.reply)
                tally.failed.append((name, outcome.reply))
                log.warning("%s: failed: %s", name, outcome.reply)
                if outcome.kind == "connection" and outcome.at_recipient:
                    dropped_in_a_row += 1
                    if dropped_in_a_row < RCPT_DROPS_BEFORE_STOP:
                        break  # this address, not the server: the next Member State may go through
                    tally.aborted = (f"{link.where} closed the connection at the address of {dropped_in_a_row} "
                                     "Member States in a row")
                    return tally
                if outcome.kind == "connection":
                    # The server keeps dropping us: the rest would only fail the same way.
                    tally.aborted = f"{link.where} keeps closing the connection ({outcome.reply})"
                    return tally
                break
            records.release(approval_id, name, outcome.reply)
            log.warning("%s: %s; trying again in %.3g s", name, outcome.reply, delay)
            sleep(delay)
            delay *= 2
    return tally


# ------------------------------------------------------------------------------------ shared steps

def _valid_approval(selection: Selection) -> approvals.Approval:
    state = approvals.check(selection.outputs, selection.year)
    if state.status == "none":
        raise DistributionError(f"no approval recorded in {selection.out_dir}: after the Council has considered "
                                f"the report, run 'reportgen approve --year {selection.year} --by \"Council ...\"'")
    if state.status == "stale":
        raise DistributionError(f"{state.describe()}; nothing sent. Only the version the Council approved "
                                "may go out: restore it, or have the new one approved")
    assert state.approval is not None
    return state.approval


def _plan(options: DistributeOptions, approved: approvals.Approval,
          states: tuple[MemberState, ...]) -> list[Planned]:
    attachments = load_attachments(options.selection.out_dir, approved)
    return plan_messages(options.selection.year, approved, states, attachments, options.sender.domain)


def _renderer(options: DistributeOptions, approved: approvals.Approval) -> Callable[[Planned, str], bytes]:
    from reportgen.plan.loader import load_plan

    plan = load_plan(options.plan_file)
    year, header = options.selection.year, options.sender.header

    def payload(item: Planned, mid: str) -> bytes:
        return message_bytes(compose(item, year, approved, header, plan.title, mid, plan.mandate))

    return payload


def _counts(rows: list[LedgerRow], states: tuple[MemberState, ...]) -> dict[str, int]:
    by_name = {r.member_state: r for r in rows}
    counts = {"sent": 0, "failed": 0, "pending": 0, "unknown": 0}
    for s in states:
        row = by_name.get(s.name)
        counts[row.shown_state if row else "pending"] += 1
    return counts
