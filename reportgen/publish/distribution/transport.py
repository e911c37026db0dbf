"""SMTP: one connection to the relay, opened when needed and again after it is lost, and each
transaction written out step by step so that a lost connection is classified by where it
happened (before the message was handed over nothing can have been delivered; after it, it may).

STARTTLS whenever the relay offers it, checked against the system's certificate authorities;
SMTP AUTH only with credentials from the environment (REPORTGEN_SMTP_USER and
REPORTGEN_SMTP_PASSWORD), which never appear in a message, a log line or a file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reportgen.publish.distribution import DistributionError

if TYPE_CHECKING:  # typing only: the CLI must not pay for this import at start-up
    import smtplib

log = logging.getLogger(__name__)

USER_ENV, PASSWORD_ENV = "REPORTGEN_SMTP_USER", "REPORTGEN_SMTP_PASSWORD"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # per message, the first included
    delay: float = 5.0  # seconds before the second attempt; doubled each time
    timeout: float = 60.0  # socket timeout per SMTP command


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one SMTP transaction came to. `connection`: lost or refused before the message was
    handed over (safe to retry); `unknown`: lost after it was handed over (maybe delivered).
    `at_recipient`: it happened at this message's own RCPT TO, so it may be the address that
    the server cannot stand rather than the server being down."""

    kind: Literal["sent", "transient", "connection", "permanent", "unknown"]
    reply: str
    at_recipient: bool = False


class ConnectFailed(Exception):
    """The relay could not be reached or refused the session; `permanent`: retrying will not help."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def _classify(code: int, reply: bytes | str, recipient: str | None = None) -> Attempt:
    """`recipient`: the address given in the RCPT TO that got this reply, if that is where it came."""
    text = _reply_text(code, reply)
    if code == 421:  # "service not available, closing channel": a reconnect may help
        if recipient is not None:
            return Attempt("connection", _closed_at_rcpt(recipient, text), at_recipient=True)
        return Attempt("connection", text)
    return Attempt("transient" if 400 <= code < 500 else "permanent", text)


def _closed_at_rcpt(recipient: str, what: str) -> str:
    return (f"the server closed the connection when given this address (RCPT TO:<{recipient}>): {what}; "
            "check the address, or ask the relay's administrator why it is refused")


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
            raise ConnectFailed(f"{self.where} greeted with {_reply_text(exc.smtp_code, exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectFailed(f"cannot talk to {self.where}: {exc or type(exc).__name__}", permanent=False) from None
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
                    raise ConnectFailed(f"{self.where} does not offer SMTP AUTH, but {USER_ENV} is set",
                                         permanent=True)
                user, password = self._credentials
                conn.login(user, password)
        except ConnectFailed:
            conn.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            # The server's reply only; the user name and password are never part of a message.
            raise ConnectFailed(f"{self.where} refused the login given by {USER_ENV}/{PASSWORD_ENV}: "
                                 f"{_reply_text(exc.smtp_code, exc.smtp_error)}", permanent=True) from None
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            raise ConnectFailed(
                f"STARTTLS with {self.where} failed: the server's certificate does not pass the check "
                f"({exc.reason}: {exc.verify_message}); nothing was sent. Use the relay's name as on its "
                "certificate in --smtp, or add the organisation's certificate authority to the system's "
                "(or name it in SSL_CERT_FILE)", permanent=True) from None
        except ssl.SSLError as exc:
            conn.close()
            raise ConnectFailed(f"STARTTLS with {self.where} failed: {exc.reason or exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            conn.close()
            raise ConnectFailed(f"{self.where}: {_reply_text(exc.smtp_code, exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            conn.close()
            raise ConnectFailed(f"cannot talk to {self.where}: {exc or type(exc).__name__}", permanent=False) from None
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
        steps = (("MAIL", lambda: conn.mail(sender)), ("RCPT", lambda: conn.rcpt(recipient)),
                 ("DATA", lambda: conn.docmd("DATA")))
        command = "MAIL"
        try:
            for command, step in steps:
                code, reply = step()
                if code not in (250, 251, 354):
                    outcome = _classify(code, reply, recipient if command == "RCPT" else None)
                    self._reset(outcome)
                    return outcome
            # Dot-stuffing and the terminating line, as RFC 5321 section 4.5.2 asks.
            body = re.sub(rb"(?m)^\.", b"..", payload)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            conn.send(body + b".\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            self.close(polite=False)
            what = str(exc) or type(exc).__name__
            if command == "RCPT":
                return Attempt("connection", _closed_at_rcpt(recipient, what), at_recipient=True)
            return Attempt("connection", f"connection lost before the message was handed over: {what}")
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
