"""Distribution of the approved report to every Member State, each message sent exactly once.

Resolution 71 asks the Secretary-General to send the reports to all Member States after the
Council has considered them. `reportgen distribute` (reportgen/cli/publish.py) calls
`campaign.distribute`, which:

- refuses to run unless the latest approval (reportgen.publish.approval) still matches the files;
- gives each Member State of the distribution list (reportgen.publish.memberstates) one message
  (`message`): a short cover letter (templates/mail/cover-letter.txt.j2) and the approved PDF in
  its language, or the English one where that language was not approved;
- tracks every message in the SQLite ledger `outputs/<Y>/distribution/ledger.sqlite` (`ledger`):
  `pending` → `sending` (committed before the SMTP transaction) → `sent` or `failed`. A message
  left in `sending` has an unknown outcome and is never resent without `--resend-unknown`;
- talks SMTP (`transport`): STARTTLS, AUTH from the environment, retries with backoff.

The modules:

    message.py    what each Member State receives: attachments, Message-IDs, the letter
    ledger.py     the SQLite ledger: one row per (approval, Member State), compare-and-set moves
    transport.py  one SMTP connection: open, send step by step, classify what happened
    campaign.py   the commands' plain functions: distribute, preview, status, mark_sent, reconcile
"""

from __future__ import annotations

from reportgen.errors import ReportgenError


class DistributionError(ReportgenError):
    """Distribution refused or impossible (no valid approval, bad options, unusable server or records)."""
