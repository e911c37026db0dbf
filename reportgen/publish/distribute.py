"""Distribution of the approved report to every Member State, each message sent exactly once.

Resolution 71 asks the Secretary-General to send the reports to all Member States after the
Council has considered them. This module owns `reportgen distribute`:

- it refuses to run unless the latest approval (reportgen.publish.approval) still matches the files;
- each Member State of the distribution list (reportgen.publish.memberstates) gets one message: a short
  cover letter (templates/mail/cover-letter.txt.j2) and the approved PDF in its language, or the
  English one where that language was not approved (said in the letter and in the ledger);
- every message goes through a SQLite ledger, `outputs/<Y>/distribution/ledger.sqlite`:
  `pending` → `sending` (committed before the SMTP transaction) → `sent` or `failed`.
  A row left in `sending` means the outcome is unknown (a crash, or the connection dropped
  after the whole message was handed over). Such rows are never resent automatically, because
  the server may well have accepted the message; they are reported as "unknown" with their
  Message-ID, which is deterministic per (year, approval, Member State), so the operator can
  look it up in the server's log and then run `--mark-sent NAME` or `--resend-unknown`.
- transient SMTP trouble (4xx replies, lost connections) is retried with exponential backoff;
  a permanent 5xx reply is recorded as failed at once. Failed and pending rows are sent by the
  next run, so an interrupted mailing is resumed by running the same command again.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, TextIO

from reportgen.publish import approval as approvals
from reportgen.errors import ReportgenError
from reportgen.publish.memberstates import MemberState, load_list, select, slug

if TYPE_CHECKING:  # typing only: the CLI must not pay for these imports at start-up
    import smtplib
    import sqlite3
    from email.message import EmailMessage

    from reportgen.plan.loader import Mandate

log = logging.getLogger(__name__)

DISTRIBUTION_DIR = "distribution"
LEDGER_NAME = "ledger.sqlite"
DRY_RUN_DIR = "dry-run"
DEFAULT_SENDER = "ITU General Secretariat <sg-reports@reportgen.example>"  # dry runs only
USER_ENV, PASSWORD_ENV = "REPORTGEN_SMTP_USER", "REPORTGEN_SMTP_PASSWORD"
from reportgen.resources import TEMPLATES_DIR
SCHEMA_VERSION = 1


class DistributionError(ReportgenError):
    """Distribution refused or impossible (no valid approval, bad options, unusable server)."""


# ------------------------------------------------------------------------------------ what to send

@dataclass(frozen=True, slots=True)
class Attachment:
    path: str  # relative to outputs/<Y>/
    sha256: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Planned:
    """One Member State's message: where it goes and which approved file it carries."""

    state: MemberState
    attachment: Attachment
    fallback: bool  # True when the English PDF stands in for a language not approved
    message_id: str


def attachment_name(year: int, language: str) -> str:
    return f"report-{year}.pdf" if language == "en" else f"report-{year}-{language}.pdf"


def message_id(year: int, approval_id: str, state_name: str, domain: str) -> str:
    """Deterministic, so a message of unknown fate can be looked up in the server's log."""
    return f"<{year}.{approval_id}.{slug(state_name)}@{domain}>"


def load_attachments(out_dir: Path, approval: approvals.Approval) -> dict[str, Attachment]:
    """The approved PDFs, read once and checked against the approval's hashes: the bytes that
    are attached are the bytes that were checked, whatever happens to the files meanwhile."""
    import hashlib

    found: dict[str, Attachment] = {}
    for approved in approval.files:
        if not approved.path.endswith(".pdf"):
            continue
        data = (out_dir / approved.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != approved.sha256:
            raise DistributionError(f"{out_dir / approved.path} changed since approval {approval.id}; "
                                    "nothing sent. Have the current version approved again")
        found[approved.path] = Attachment(approved.path, approved.sha256, data)
    return found


def plan_messages(year: int, approval: approvals.Approval, states: tuple[MemberState, ...],
                  attachments: dict[str, Attachment], domain: str) -> list[Planned]:
    english = attachments.get(attachment_name(year, "en"))
    if english is None:
        raise DistributionError(f"approval {approval.id} covers no {attachment_name(year, 'en')}; "
                                "build with the PDF and approve again")
    planned = []
    for state in states:
        own = attachments.get(attachment_name(year, state.language))
        planned.append(Planned(state, own or english, own is None,
                               message_id(year, approval.id, state.name, domain)))
    return planned


def compose(item: Planned, year: int, approval: approvals.Approval, sender: str,
            plan_title: str, message_id_value: str, mandate: Mandate) -> EmailMessage:
    """The message for one Member State: cover letter (text, citing the plan's `mandate`) and the approved PDF."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    state = item.state
    letter = _environment().get_template("mail/cover-letter.txt.j2").render(
        state=state, year=year, approval=approval, plan_title=plan_title, mandate=mandate,
        attachment=item.attachment, fallback=item.fallback, language=state.language_name)
    message = EmailMessage()
    message["From"] = sender
    local, _, domain = state.email.rpartition("@")
    message["To"] = Address(display_name=state.name, username=local, domain=domain)
    message["Subject"] = f"ITU: progress report {year} on the {plan_title}"
    message["Date"] = format_datetime(approvals.now_utc())
    message["Message-ID"] = message_id_value
    message["Content-Language"] = "en"
    message["X-Reportgen-Approval"] = approval.id
    # Quoted-printable keeps the letter 7-bit: some relays still lack 8BITMIME.
    message.set_content(letter, charset="utf-8", cte="quoted-printable")
    message.add_attachment(item.attachment.data, maintype="application", subtype="pdf",
                           filename=Path(item.attachment.path).name)
    return message


def message_bytes(message: EmailMessage) -> bytes:
    from email import policy

    # CRLF line ends, as on the wire. Headers are not folded below RFC 5322's hard limit, so a
    # long Message-ID stays on one line where an operator can grep for it in logs and .eml files.
    return message.as_bytes(policy=policy.SMTP.clone(max_line_length=998))


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Escaping would garble a plain-text letter (Côte d&#39;Ivoire); keep it for any HTML part.
        autoescape=lambda name: name is not None and ".html" in name,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# ------------------------------------------------------------------------------------ the ledger

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


class Ledger:
    """Every message's state, in SQLite (WAL, synchronous=FULL: a committed state survives a
    crash). State changes are compare-and-set updates, so two runs at once cannot both claim
    the same Member State."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db: sqlite3.Connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            raise DistributionError(f"{path} was written by another version of reportgen (ledger schema "
                                    f"{version}, this one reads {SCHEMA_VERSION})")

    @classmethod
    def existing(cls, out_dir: Path) -> Ledger | None:
        path = ledger_path(out_dir)
        return cls(path) if path.exists() else None

    def close(self) -> None:
        self._db.close()

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

    def rows(self, approval_id: str | None = None) -> list[LedgerRow]:
        query = "SELECT * FROM messages" + (" WHERE approval_id = ?" if approval_id else "") + " ORDER BY rowid"
        cursor = self._db.execute(query, (approval_id,) if approval_id else ())
        return [LedgerRow(*row[:6], bool(row[6]), *row[7:]) for row in cursor.fetchall()]

    def row(self, approval_id: str, name: str) -> LedgerRow | None:
        found = self._db.execute("SELECT * FROM messages WHERE approval_id = ? AND member_state = ?",
                                 (approval_id, name)).fetchone()
        return LedgerRow(*found[:6], bool(found[6]), *found[7:]) if found else None

    def other_mailings(self, approval_id: str) -> dict[str, int]:
        """Messages sent (or possibly sent) under other approvals, by approval id."""
        cursor = self._db.execute("SELECT approval_id, COUNT(*) FROM messages WHERE approval_id != ? "
                                  "AND state IN ('sent', 'sending') GROUP BY approval_id", (approval_id,))
        return dict(cursor.fetchall())

    def ensure_pending(self, approval_id: str, planned: list[Planned]) -> None:
        """A row per planned message. Rows not yet sent follow the current list (address,
        language, attachment); a row that is sent or in doubt is history and stays as it is,
        Message-ID included."""
        now = self._now()
        with self._transaction():
            for item in planned:
                s = item.state
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


# ------------------------------------------------------------------------------------ SMTP

@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # per message, the first included
    delay: float = 5.0  # seconds before the second attempt; doubled each time
    timeout: float = 60.0  # socket timeout per SMTP command


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one SMTP transaction came to. `connection`: lost or refused before the message was
    handed over (safe to retry); `unknown`: lost after it was handed over (maybe delivered)."""

    kind: Literal["sent", "transient", "connection", "permanent", "unknown"]
    reply: str


class _ConnectFailed(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def _classify(code: int, reply: bytes | str) -> Attempt:
    text = _reply_text(code, reply)
    if code == 421:  # "service not available, closing channel": a reconnect may help
        return Attempt("connection", text)
    return Attempt("transient" if 400 <= code < 500 else "permanent", text)


def credentials_from_environment() -> tuple[str, str] | None:
    """(user, password) from REPORTGEN_SMTP_USER / REPORTGEN_SMTP_PASSWORD, or None. Only ever
    from the environment: a file would sit in backups and repositories."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not user and not password:
        return None
    if not user or not password:
        raise DistributionError(f"set both {USER_ENV} and {PASSWORD_ENV} for SMTP AUTH, or neither")
    return user, password


class SmtpLink:
    """One connection to the relay, opened when needed and again after it is lost."""

    def __init__(self, host: str, port: int, timeout: float, credentials: tuple[str, str] | None) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._credentials = credentials
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def ensure_open(self) -> None:
        if self._conn is None:
            self._conn = self._open()

    def _open(self) -> smtplib.SMTP:
        import smtplib
        import ssl

        # The host goes to the constructor, not to connect(): STARTTLS checks the certificate
        # against the name given there (with connect() alone it has none and fails).
        try:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except smtplib.SMTPConnectError as exc:
            raise _ConnectFailed(f"{self.where} greeted with {_reply_text(exc.smtp_code, exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _ConnectFailed(f"cannot talk to {self.where}: {exc or type(exc).__name__}", permanent=False) from None
        try:
            conn.ehlo_or_helo_if_needed()
            # Encrypt whenever the relay offers it, with the system's CAs: these are official
            # letters and, with AUTH, credentials.
            if conn.has_extn("starttls"):
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            elif self._credentials:
                log.warning("%s does not offer STARTTLS: logging in without encryption", self.where)
            if self._credentials:
                if not conn.has_extn("auth"):
                    raise _ConnectFailed(f"{self.where} does not offer SMTP AUTH, but {USER_ENV} is set",
                                         permanent=True)
                user, password = self._credentials
                conn.login(user, password)
        except _ConnectFailed:
            conn.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            # The server's reply only; the user name and password are never part of a message.
            raise _ConnectFailed(f"{self.where} refused the login given by {USER_ENV}/{PASSWORD_ENV}: "
                                 f"{_reply_text(exc.smtp_code, exc.smtp_error)}", permanent=True) from None
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            raise _ConnectFailed(
                f"STARTTLS with {self.where} failed: the server's certificate does not pass the check "
                f"({exc.reason}: {exc.verify_message}); nothing was sent. Use the relay's name as on its "
                "certificate in --smtp, or add the organisation's certificate authority to the system's "
                "(or name it in SSL_CERT_FILE)", permanent=True) from None
        except ssl.SSLError as exc:
            conn.close()
            raise _ConnectFailed(f"STARTTLS with {self.where} failed: {exc.reason or exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            conn.close()
            raise _ConnectFailed(f"{self.where}: {_reply_text(exc.smtp_code, exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            conn.close()
            raise _ConnectFailed(f"cannot talk to {self.where}: {exc or type(exc).__name__}", permanent=False) from None
        return conn

    def close(self, polite: bool = True) -> None:
        import smtplib

        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if polite:
                conn.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            conn.close()

    def transmit(self, sender: str, recipient: str, payload: bytes) -> Attempt:
        """One SMTP transaction. Written out step by step (rather than `sendmail`) so that a lost
        connection is classified by where it happened: before the final dot is sent nothing can
        have been delivered; after it, the message may have been."""
        import re
        import smtplib

        conn = self._conn
        assert conn is not None, "ensure_open() first"
        try:
            for step in (lambda: conn.mail(sender), lambda: conn.rcpt(recipient), lambda: conn.docmd("DATA")):
                code, reply = step()
                if code not in (250, 251, 354):
                    outcome = _classify(code, reply)
                    self._reset(outcome)
                    return outcome
            # Dot-stuffing and the terminating line, as RFC 5321 section 4.5.2 asks.
            body = re.sub(rb"(?m)^\.", b"..", payload)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            conn.send(body + b".\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            self.close(polite=False)
            return Attempt("connection", f"connection lost before the message was handed over: {exc or type(exc).__name__}")
        try:
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.close(polite=False)
            return Attempt("unknown", f"connection lost after the message was handed over, before the "
                                      f"server confirmed it: {exc or type(exc).__name__}")
        if code == 250:
            return Attempt("sent", _reply_text(code, reply))
        outcome = _classify(code, reply)
        self._reset(outcome)
        return outcome

    def _reset(self, outcome: Attempt) -> None:
        import smtplib

        if outcome.kind == "connection":
            self.close(polite=False)
            return
        try:
            assert self._conn is not None
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close(polite=False)


# ------------------------------------------------------------------------------------ the mailing

class Progress:
    """A one-line progress bar on stderr, only for a person watching a terminal (not in CI,
    not when stderr is a file): logs and CI output stay clean."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)()) and not os.environ.get("CI")
        self.enabled = enabled and total > 0

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = width * self.done // self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label[:30]:<30}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class Summary:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    already_sent: int = 0
    aborted: str | None = None


def send_all(ledger: Ledger, link: SmtpLink, approval_id: str, items: list[tuple[Planned, str]],
             render: Callable[[Planned, str], bytes], sender: str, policy: RetryPolicy,
             resend_unknown: bool = False, sleep: Callable[[float], None] = time.sleep,
             progress: Progress | None = None) -> Summary:
    """Send each (planned message, its Message-ID) once, recording every step in the ledger.
    `render` makes a message's bytes just before it is sent (not all 191 PDFs at once).

    Stops early (Summary.aborted) when the server cannot be reached or keeps dropping the
    connection: the rest stay pending for the next run.
    """
    summary = Summary()
    progress = progress or Progress(0, enabled=False)
    for item, mid in items:
        name = item.state.name
        progress.step(name)
        payload = render(item, mid)
        delay = policy.delay
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                link.ensure_open()
            except _ConnectFailed as exc:
                if exc.permanent or last:
                    summary.aborted = f"{exc} (after {attempt} attempt(s))"
                    return summary
                log.warning("%s; trying again in %.3g s", exc, delay)
                sleep(delay)
                delay *= 2
                continue
            if not ledger.claim(approval_id, name, resend_unknown):
                break  # another run has it, or it was settled meanwhile
            outcome = link.transmit(sender, item.state.email, payload)
            if outcome.kind == "sent":
                ledger.mark_sent(approval_id, name, outcome.reply)
                summary.sent.append(name)
                log.info("sent to %s <%s>: %s %s", name, item.state.email, item.attachment.path, mid)
                break
            if outcome.kind == "unknown":
                ledger.mark_unknown(approval_id, name, outcome.reply)
                summary.unknown.append((name, mid))
                log.warning("%s: %s; Message-ID %s", name, outcome.reply, mid)
                break
            if outcome.kind == "permanent" or last:
                ledger.mark_failed(approval_id, name, outcome.reply)
                summary.failed.append((name, outcome.reply))
                log.warning("%s: failed: %s", name, outcome.reply)
                if outcome.kind == "connection":
                    # The server keeps dropping us: the rest would only fail the same way.
                    summary.aborted = f"{link.where} keeps closing the connection ({outcome.reply})"
                    return summary
                break
            ledger.release(approval_id, name, outcome.reply)
            log.warning("%s: %s; trying again in %.3g s", name, outcome.reply, delay)
            sleep(delay)
            delay *= 2
    return summary


# ------------------------------------------------------------------------------------ command line

def register(subparsers: Any) -> None:
    defaults = RetryPolicy()
    parser = subparsers.add_parser(
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
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DistributionError(f"--smtp {value!r}: expected HOST:PORT, e.g. smtp.example.org:587")
    return host.strip("[]"), int(port)  # [::1]:25 → ::1


def parse_sender(value: str) -> tuple[str, str]:
    """(header value, envelope address) of --from."""
    from email.utils import formataddr, parseaddr

    from reportgen.publish.memberstates import is_email

    display, address = parseaddr(value)
    if not is_email(address):
        raise DistributionError(f"--from {value!r} is not an e-mail address (e.g. 'ITU <sg@itu.int>')")
    return formataddr((display, address)) if display else address, address


def run_distribute(args: argparse.Namespace) -> int:
    out_dir = args.outputs / str(args.year)
    states = load_list(args.list_file)
    if args.only:
        states = select(states, args.only)
    if args.status:
        return show_status(out_dir, args.year, states)
    if args.mark_sent:
        return mark_sent(out_dir, args.year, select(states, args.mark_sent))
    if args.attempts < 1 or args.retry_delay < 0 or args.timeout <= 0:
        raise DistributionError("--attempts must be at least 1, --retry-delay at least 0, --timeout above 0")

    state = approvals.check(args.outputs, args.year)
    if state.status == "none":
        raise DistributionError(f"no approval recorded in {out_dir}: after the Council has considered the "
                                f"report, run 'reportgen approve --year {args.year} --by \"Council ...\"'")
    if state.status == "stale":
        raise DistributionError(f"{state.describe()}; nothing sent. Only the version the Council approved "
                                "may go out: restore it, or have the new one approved")
    approved = state.approval
    assert approved is not None
    if args.sender is None and not args.dry_run:
        raise DistributionError("give --from ADDR: the sender Member States will see and reply to")
    header_from, envelope_from = parse_sender(args.sender or DEFAULT_SENDER)
    domain = envelope_from.rpartition("@")[2]
    from reportgen.plan.loader import load_plan

    plan = load_plan(args.plan)
    plan_title = plan.title
    planned = plan_messages(args.year, approved, states, load_attachments(out_dir, approved), domain)

    def payload(item: Planned, mid: str) -> bytes:
        return message_bytes(compose(item, args.year, approved, header_from, plan_title, mid, plan.mandate))

    if args.dry_run:
        return dry_run(out_dir, approved, planned, payload)

    host, port = parse_smtp(args.smtp)
    credentials = credentials_from_environment()
    ledger = Ledger(ledger_path(out_dir))
    link = SmtpLink(host, port, args.timeout, credentials)
    try:
        earlier = ledger.other_mailings(approved.id)
        if earlier and not args.supersede:
            listed = ", ".join(f"approval {a}: {n}" for a, n in earlier.items())
            raise DistributionError(f"Member States already received an earlier approved version ({listed}); "
                                    f"approval {approved.id} is another version. To send it to them as well, "
                                    "add --supersede")
        ledger.ensure_pending(approved.id, planned)
        items: list[tuple[Planned, str]] = []
        summary = Summary()
        for item in planned:
            row = ledger.row(approved.id, item.state.name)
            assert row is not None
            if row.state == "sent":
                summary.already_sent += 1
            elif row.state == "sending" and not args.resend_unknown:
                summary.unknown.append((item.state.name, row.message_id))
            else:
                # The Message-ID stored with the row wins: the one the server may have seen.
                items.append((item, row.message_id))
        progress = Progress(len(items))
        try:
            sent = send_all(ledger, link, approved.id, items, payload, envelope_from,
                            RetryPolicy(args.attempts, args.retry_delay, args.timeout),
                            resend_unknown=args.resend_unknown, progress=progress)
        finally:
            progress.close()
        summary.sent, summary.failed, summary.aborted = sent.sent, sent.failed, sent.aborted
        summary.unknown += sent.unknown
        counts = _counts(ledger.rows(approved.id), states)
    finally:
        link.close()
        ledger.close()
    return report_summary(args.year, approved, summary, counts)


def _counts(rows: list[LedgerRow], states: tuple[MemberState, ...]) -> dict[str, int]:
    by_name = {r.member_state: r for r in rows}
    counts = {"sent": 0, "failed": 0, "pending": 0, "unknown": 0}
    for s in states:
        row = by_name.get(s.name)
        counts[row.shown_state if row else "pending"] += 1
    return counts


def report_summary(year: int, approved: approvals.Approval, summary: Summary, counts: dict[str, int]) -> int:
    print(f"reportgen: {year} report (approval {approved.id}): {len(summary.sent)} sent now, "
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
    return 0 if not (counts["failed"] or counts["pending"] or counts["unknown"]) else 1


def dry_run(out_dir: Path, approved: approvals.Approval, planned: list[Planned],
            payload: Callable[[Planned, str], bytes]) -> int:
    """Write what would be sent now as .eml files; touch neither the server nor the ledger."""
    from reportgen.pipeline.write import write_all

    folder = out_dir / DISTRIBUTION_DIR / DRY_RUN_DIR
    for old in folder.glob("*.eml") if folder.is_dir() else ():
        old.unlink()  # a preview shows this run only
    ledger = Ledger.existing(out_dir)
    written = skipped = 0
    try:
        for item in planned:
            row = ledger.row(approved.id, item.state.name) if ledger else None
            if row and row.state in ("sent", "sending"):
                skipped += 1
                continue
            mid = row.message_id if row else item.message_id
            write_all(folder, {f"{item.state.slug}.eml": payload(item, mid)})
            written += 1
    finally:
        if ledger:
            ledger.close()
    fallback = sum(p.fallback for p in planned)
    print(f"reportgen: dry run: {written} message(s) written to {folder}/, nothing sent"
          + (f"; {skipped} already sent or of unknown outcome, left out" if skipped else "")
          + (f"; {fallback} with the English PDF standing in for their language" if fallback else ""))
    return 0


def show_status(out_dir: Path, year: int, states: tuple[MemberState, ...]) -> int:
    ledger = Ledger.existing(out_dir)
    latest = (approvals.read_ledger(out_dir) or [None])[-1]
    rows: list[LedgerRow] = []
    earlier: dict[str, int] = {}
    if ledger:
        try:
            if latest is not None:
                rows = ledger.rows(latest.id)
                earlier = ledger.other_mailings(latest.id)
        finally:
            ledger.close()
    head = (f"approval {latest.id} (by {latest.by}, {latest.at})" if latest else "no approval recorded")
    print(f"Distribution of the {year} report, {head}")
    by_name = {r.member_state: r for r in rows}
    width = max([len(s.name) for s in states] + [12])
    print(f"{'Member State':<{width}}  {'state':<8} lang  {'attachment':<22} detail")
    for s in states:
        row = by_name.get(s.name)
        if row is None:
            print(f"{s.name:<{width}}  {'pending':<8} {s.language:<4}  {'':<22} not yet attempted")
            continue
        detail = row.reply or ""
        if row.state == "sending":
            detail = f"outcome unknown, check the server for {row.message_id}" + (f" ({row.reply})" if row.reply else "")
        elif row.state == "sent":
            detail = f"{row.sent_at} {row.message_id}"
        if row.fallback:
            detail += " [English: no approved version in its language]"
        print(f"{s.name:<{width}}  {row.shown_state:<8} {row.language:<4}  {row.attachment:<22} {detail}")
    counts = _counts(rows, states)
    print("totals: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" (of {len(states)})")
    for approval_id, n in earlier.items():
        print(f"earlier approval {approval_id}: {n} message(s) sent or of unknown outcome")
    return 0


def mark_sent(out_dir: Path, year: int, states: tuple[MemberState, ...]) -> int:
    latest = (approvals.read_ledger(out_dir) or [None])[-1]
    ledger = Ledger.existing(out_dir)
    if latest is None or ledger is None:
        raise DistributionError(f"nothing has been distributed for {year} yet")
    try:
        refused = [s.name for s in states if not ledger.confirm_sent(latest.id, s.name)]
    finally:
        ledger.close()
    print(f"reportgen: {len(states) - len(refused)} message(s) recorded as sent")
    if refused:
        raise DistributionError(f"--mark-sent: not of unknown outcome, left as they were: {', '.join(refused)} "
                                "(see --status)")
    return 0
