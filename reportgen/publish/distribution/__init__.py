"""Distribution of the approved report to every Member State, each message sent exactly once.

Resolution 71 asks the Secretary-General to send the reports to all Member States after the
Council has considered them. `reportgen distribute` (reportgen/cli/publish.py) calls
`campaign.distribute`, which:

- refuses to run unless the latest approval (reportgen.publish.approval) still matches the files;
- gives each Member State of the distribution list (reportgen.publish.memberstates) one message
  (`message`): a short cover letter (templates/mail/cover-letter.txt.j2) and the approved PDF in
  its language, or the English one where that language was not approved;
- tracks every message in two records, checked against each other before anything is sent
  (`records`): the SQLite ledger `outputs/<Y>/distribution/ledger.sqlite` (`ledger`) and the
  append-only journal `outputs/<Y>/distribution-journal.jsonl` (`journal`), which is written
  first. `pending` → `sending` (in both records before the SMTP transaction) → `sent` or
  `failed`. A message left in `sending` has an unknown outcome and is never resent without
  `--resend-unknown`. When the records disagree (a file lost, emptied, damaged or restored from
  an older copy) nothing is sent until `--reconcile` has rebuilt them from each other;
- talks SMTP (`transport`): STARTTLS, AUTH from the environment, retries with backoff.

The modules:

    message.py    what each Member State receives: attachments, Message-IDs, the letter
    ledger.py     the SQLite ledger: one row per (approval, Member State), compare-and-set moves
    journal.py    the append-only journal: every move, fsync'd before the ledger takes it
    records.py    ledger and journal together: write-ahead order, cross-check, replay, reconcile
    transport.py  one SMTP connection: open, send step by step, classify what happened
    campaign.py   the commands' plain functions: distribute, preview, status, mark_sent, reconcile
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ReportgenError


class DistributionError(ReportgenError):
    """Distribution refused or impossible (no valid approval, bad options, unusable server or records)."""


def command_for(out_dir: Path, *flags: str) -> str:
    """The `reportgen distribute` command line for the year folder `out_dir`, to quote in a message."""
    import shlex

    outputs = out_dir.parent
    words = ["reportgen", "distribute", "--year", out_dir.name]
    if outputs != Path("outputs"):
        words += ["--outputs", str(outputs)]
    return shlex.join(words + list(flags))
