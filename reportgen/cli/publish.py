"""Commands for publication: `approve` and `distribute`.

Arguments in, a typed options value out, a plain function of reportgen.publish called, and
what came of it printed. Both commands write into outputs/<YEAR>/ and so hold the year's lock
(reportgen.util.lock, contract 8.7) while they run; `distribute --status` only reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.publish.distribution.transport import PASSWORD_ENV, USER_ENV, RetryPolicy

if TYPE_CHECKING:
    from reportgen.publish.distribution.campaign import (DistributeOptions, Marked, Preview, Selection,
                                                         StatusReport, Summary)
    from reportgen.publish.distribution.records import Reconciled


def add_parsers(commands: Any) -> None:
    _add_approve(commands)
    _add_distribute(commands)


# ------------------------------------------------------------------------------------ approve

def _add_approve(commands: Any) -> None:
    parser = commands.add_parser("approve", help="record the Council's approval of a year's outputs")
    parser.add_argument("--year", type=int, required=True, help="the report year, e.g. 2009")
    parser.add_argument("--by", required=True, help='who approved, e.g. "Council 2010"')
    parser.add_argument("--note", default=None, help="free text kept with the approval (e.g. a decision number)")
    parser.add_argument("--outputs", type=Path, default=Path("outputs"),
                        help="folder holding the year folders (default: outputs)")
    parser.set_defaults(func=run_approve)


def run_approve(args: argparse.Namespace) -> int:
    from reportgen.publish import approval

    from reportgen.util.lock import year_lock

    with year_lock(args.outputs, args.year, "approve"):
        previous = approval.read_ledger(args.outputs / str(args.year))
        recorded = approval.approve(args.outputs, args.year, args.by, args.note)
    same = next((a for a in reversed(previous) if a.id == recorded.id), None)
    print(f"reportgen: approval {recorded.id} of the {args.year} outputs recorded "
          f"({len(recorded.files)} file(s), by {recorded.by}, {recorded.at})"
          + (f"; the same version as approval #{same.seq}" if same else ""))
    return 0


# ------------------------------------------------------------------------------------ distribute

def _add_distribute(commands: Any) -> None:
    defaults = RetryPolicy()
    parser = commands.add_parser(
        "distribute", help="send the approved report to every Member State (exactly once each)",
        description="Send the approved report to every Member State in its language, each exactly once. "
                    f"SMTP AUTH credentials come only from {USER_ENV} and {PASSWORD_ENV}.")
    parser.add_argument("--year", type=int, required=True, help="the report year, e.g. 2009")
    parser.add_argument("--outputs", type=Path, default=Path("outputs"),
                        help="folder holding the year folders (default: outputs)")
    parser.add_argument("--list", type=Path, default=None, dest="list_file", metavar="FILE",
                        help="distribution list (CSV name,language,email; default: the 191 Member States "
                             "shipped with placeholder addresses)")
    parser.add_argument("--only", default=None, metavar="NAME,...",
                        help="only these Member States, named as in the list, separated by commas")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true",
                      help="write the messages as .eml files under outputs/<Y>/distribution/dry-run/; send nothing")
    mode.add_argument("--status", action="store_true", help="show sent/failed/pending/unknown per Member State")
    mode.add_argument("--mark-sent", default=None, metavar="NAME,...",
                      help="record messages of unknown outcome as sent, after finding their Message-ID "
                           "in the server's log")
    mode.add_argument("--reconcile", action="store_true",
                      help="when the ledger and the journal disagree (one was lost, emptied, damaged or "
                           "restored from a backup): rebuild each from both; sends nothing")
    parser.add_argument("--smtp", default="localhost:25", metavar="HOST:PORT", help="mail relay (default localhost:25)")
    parser.add_argument("--from", dest="sender", default=None, metavar="ADDR",
                        help="the sender Member States see and reply to (required to send)")
    parser.add_argument("--resend-unknown", action="store_true",
                        help="send again the messages whose outcome is unknown (same Message-ID)")
    parser.add_argument("--supersede", action="store_true",
                        help="send a newly approved version to Member States that received an earlier one")
    parser.add_argument("--attempts", type=int, default=defaults.attempts,
                        help=f"attempts per message on transient errors (default {defaults.attempts})")
    parser.add_argument("--retry-delay", type=float, default=defaults.delay, metavar="SECONDS",
                        help=f"wait before the first retry, doubled each time (default {defaults.delay:g})")
    parser.add_argument("--timeout", type=float, default=defaults.timeout, metavar="SECONDS",
                        help=f"SMTP socket timeout (default {defaults.timeout:g})")
    parser.add_argument("--plan", type=Path, default=None, help="another plan file (YAML), for the letter's title")
    parser.set_defaults(func=run_distribute)


def parse_smtp(value: str) -> tuple[str, int]:
    """(host, port) of --smtp HOST:PORT."""
    from reportgen.publish.distribution import DistributionError

    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DistributionError(f"--smtp {value!r}: expected HOST:PORT, e.g. smtp.example.org:587")
    return host.strip("[]"), int(port)  # [::1]:25 → ::1


def parse_sender(value: str) -> tuple[str, str]:
    """(header value, envelope address) of --from."""
    from email.utils import formataddr, parseaddr

    from reportgen.publish.distribution import DistributionError
    from reportgen.publish.memberstates import is_email

    display, address = parseaddr(value)
    if not is_email(address):
        raise DistributionError(f"--from {value!r} is not an e-mail address (e.g. 'ITU <sg@itu.int>')")
    return formataddr((display, address)) if display else address, address


def run_distribute(args: argparse.Namespace) -> int:
    from reportgen.publish.distribution import campaign

    selection = campaign.Selection(args.outputs, args.year, args.list_file, args.only)
    if args.status:
        return _print_status(campaign.status(selection))
    from reportgen.util.lock import year_lock

    # Options are checked before the lock is taken: a typing slip is said as such, at once.
    options = None if args.mark_sent or args.reconcile else _distribute_options(args, selection)
    with year_lock(args.outputs, args.year, "distribute"):
        if args.mark_sent:
            return _print_marked(campaign.mark_sent(selection, args.mark_sent))
        if args.reconcile:
            return _print_reconciled(campaign.reconcile(selection))
        assert options is not None
        if args.dry_run:
            return _print_preview(campaign.preview(options))
        return _print_summary(args.year, _send(options))


def _send(options: DistributeOptions) -> Summary:
    from reportgen.publish.distribution import campaign
    from reportgen.util.progress import Progress

    with Progress("Sending") as progress:
        def step(number: int, total: int, name: str) -> None:
            progress.total = total
            progress.set_label(f"Sending to {name[:30]}")
            progress.advance()

        return campaign.distribute(options, on_step=step)


def _distribute_options(args: argparse.Namespace, selection: Selection) -> DistributeOptions:
    from reportgen.publish.distribution import DistributionError, campaign
    from reportgen.publish.distribution.transport import credentials_from_environment

    if not (args.attempts >= 1 and 0 <= args.retry_delay < 86400 and 0 < args.timeout < 86400):  # nan fails too
        raise DistributionError("--attempts must be at least 1, --retry-delay at least 0 and --timeout above 0 "
                                "(both in seconds, under a day)")
    if args.sender is None and not args.dry_run:
        raise DistributionError("give --from ADDR: the sender Member States will see and reply to")
    header, address = parse_sender(args.sender or campaign.DEFAULT_SENDER)
    server = None
    if not args.dry_run:
        host, port = parse_smtp(args.smtp)
        server = campaign.Server(host, port, credentials_from_environment())
    return campaign.DistributeOptions(
        selection=selection, sender=campaign.Sender(header, address), server=server,
        retry=RetryPolicy(args.attempts, args.retry_delay, args.timeout),
        resend_unknown=args.resend_unknown, supersede=args.supersede, plan_file=args.plan)


def _print_summary(year: int, summary: Summary) -> int:
    counts = summary.counts
    print(f"reportgen: {year} report (approval {summary.approval.id}): {len(summary.sent)} sent now, "
          f"{summary.already_sent} sent before; totals: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    for name, reply in summary.failed:
        print(f"  failed: {name}: {reply}")
    for name, mid in summary.unknown:
        print(f"  unknown: {name}: check the server's log for Message-ID {mid}, then use --mark-sent "
              f"or --resend-unknown")
    if summary.aborted:
        print(f"reportgen: stopped: {summary.aborted}. Run the same command again to resume: nothing "
              "sent is sent again", file=sys.stderr)
    elif counts["failed"] or counts["pending"]:
        print("reportgen: run the same command again to retry the failed and pending messages", file=sys.stderr)
    return 0 if summary.complete else 1


def _print_preview(preview: Preview) -> int:
    print(f"reportgen: dry run: {preview.written} message(s) written to {preview.folder}/, nothing sent"
          + (f"; {preview.skipped} already sent or of unknown outcome, left out" if preview.skipped else "")
          + (f"; {preview.fallback} with the English PDF standing in for their language" if preview.fallback else ""))
    return 0


def _print_status(report: StatusReport) -> int:
    latest = report.approval
    head = f"approval {latest.id} (by {latest.by}, {latest.at})" if latest else "no approval recorded"
    print(f"Distribution of the {report.year} report, {head}")
    width = max([len(line.member_state.name) for line in report.lines] + [12])
    print(f"{'Member State':<{width}}  {'state':<8} lang  {'attachment':<22} detail")
    for line in report.lines:
        s, row = line.member_state, line.row
        if row is None:
            said = line.journal_state
            note = f" [the journal says: {'unknown' if said == 'sending' else said}]" if said else ""
            print(f"{s.name:<{width}}  {'pending':<8} {s.language:<4}  {'':<22} not yet attempted{note}")
            continue
        detail = row.reply or ""
        if row.state == "sending":
            detail = f"outcome unknown, check the server for {row.message_id}" + (f" ({row.reply})" if row.reply else "")
        elif row.state == "sent":
            detail = f"{row.sent_at} {row.message_id}"
        if row.fallback:
            detail += " [English: no approved version in its language]"
        if line.journal_state:
            detail += f" [the journal says: {'unknown' if line.journal_state == 'sending' else line.journal_state}]"
        print(f"{s.name:<{width}}  {row.shown_state:<8} {row.language:<4}  {row.attachment:<22} {detail}")
    print("totals: " + ", ".join(f"{n} {k}" for k, n in report.counts.items()) + f" (of {len(report.lines)})")
    for approval_id, n in report.earlier.items():
        print(f"earlier approval {approval_id}: {n} message(s) sent or of unknown outcome")
    if report.problem:
        print(f"reportgen: warning: {report.problem}", file=sys.stderr)
    return 0


def _print_marked(marked: Marked) -> int:
    from reportgen.publish.distribution import DistributionError

    print(f"reportgen: {len(marked.recorded)} message(s) recorded as sent")
    if marked.refused:
        raise DistributionError(f"--mark-sent: not of unknown outcome, left as they were: {', '.join(marked.refused)} "
                                "(see --status)")
    return 0


def _print_reconciled(done: Reconciled) -> int:
    for path in done.set_aside:
        print(f"reportgen: the damaged file is kept as {path}")
    print(f"reportgen: records reconciled: {done.ledger_rows} message(s) written into the ledger from the journal, "
          f"{done.journal_entries} into the journal from the ledger; all approvals: "
          + ", ".join(f"{n} {k}" for k, n in done.counts.items()) + ". Nothing was sent")
    return 0
