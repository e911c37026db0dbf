"""Distribution to the Member States (reportgen/publish/distribution/, reportgen/publish/memberstates.py),
against a real SMTP server (aiosmtpd) on 127.0.0.1: exactly one message each, the approved
bytes in the right language, resumable after failures, credentials never written anywhere."""

from __future__ import annotations

import email
import hashlib
import json
import logging
import socket
import sqlite3
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from reportgen.cli import main
from reportgen.pipeline import write
from reportgen.publish import approval
from reportgen.publish.distribution.journal import Entry, Journal
from reportgen.publish.distribution.message import attachment_name
from reportgen.publish.distribution.transport import PASSWORD_ENV, USER_ENV
from reportgen.publish.memberstates import DEFAULT_LIST, DistributionListError, load_list

YEAR = 2009
PDFS = {"en": b"%PDF-1.7 English report\n", "fr": b"%PDF-1.7 rapport en francais\n",
        "es": b"%PDF-1.7 informe en espanol\n"}  # no ar, zh, ru: those fall back to English
PASSWORD = "s3cret-Pa55word-do-not-leak"
USER = "sg-office"


# ------------------------------------------------------------------------------------ server

class Recorder:
    """aiosmtpd handler that keeps every accepted message and can misbehave on demand."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.down_after: int | None = None  # once this many are stored, drop every connection at MAIL
        self.drop_after_data: dict[int, bool] = {}  # n-th DATA → drop without replying (True: keep it)
        self.rcpt_replies: dict[str, list[str]] = {}  # address → replies to give, one per attempt
        self.drop_at_rcpt: set[str] = set()  # addresses whose RCPT makes the server hang up
        self._data_calls = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.down_after is not None and len(self.messages) >= self.down_after:
            server.transport.close()  # the connection drops under the client's feet
            return "421 going down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.drop_at_rcpt:
            server.transport.close()
            return "421 4.7.0 closing connection"
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._data_calls += 1
        keep = self.drop_after_data.get(self._data_calls, True)
        if keep:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        if self._data_calls in self.drop_after_data:
            server.transport.close()  # whole message received; the reply never arrives
        return "250 2.0.0 queued"

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        found: dict[str, list[EmailMessage]] = {}
        for recipients, content in self.messages:
            for rcpt in recipients:
                found.setdefault(rcpt, []).append(email.message_from_bytes(content, policy=policy.default))
        return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(handler: Recorder, **kwargs: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, str]]:
    handler = Recorder()
    controller = start(handler)
    try:
        yield handler, f"127.0.0.1:{controller.port}"
    finally:
        controller.stop()


# ------------------------------------------------------------------------------------ outputs and lists

def make_outputs(root: Path, pdfs: dict[str, bytes] = PDFS) -> Path:
    files = {attachment_name(YEAR, lang): data for lang, data in pdfs.items()}
    files[f"report-{YEAR}.html"] = b"<!DOCTYPE html><title>report</title>"
    files[f"report-{YEAR}.json"] = b'{"year": 2009}\n'
    out_dir = root / str(YEAR)
    files["manifest.json"] = write.json_bytes(write.manifest(YEAR, root / "inputs", [], out_dir, files))
    write.write_all(out_dir, files)
    return out_dir


def write_list(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "language", "email"])
        writer.writerows(rows)
    return path


SMALL = [("France", "fr", "admin@france.example"), ("Spain", "es", "admin@spain.example"),
         ("China", "zh", "admin@china.example"), ("Kenya", "en", "admin@kenya.example"),
         ("Côte d'Ivoire", "fr", "admin@cote-divoire.example"), ("Russian Federation", "ru", "admin@russia.example")]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Approved outputs for 2009 and a small list; no credentials in the environment."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1286280000")
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    root = tmp_path / "outputs"
    make_outputs(root)
    approval.approve(root, YEAR, "Council 2010")
    return {"outputs": root, "list": write_list(tmp_path / "list.csv", SMALL)}


def send(env: dict[str, Path], address: str, *extra: str, list_file: Path | None = None) -> int:
    return main(["distribute", "--year", str(YEAR), "--outputs", str(env["outputs"]),
                 "--list", str(list_file or env["list"]), "--smtp", address, "--from", "SG <sg@itu.example>",
                 "--retry-delay", "0.001", "--timeout", "5", *extra])


def pdf_of(message: EmailMessage) -> tuple[str, bytes]:
    [part] = list(message.iter_attachments())
    return part.get_filename(), part.get_content()


def ledger_rows(env: dict[str, Path]) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(env["outputs"] / "2009" / "distribution" / "ledger.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return {r["member_state"]: r for r in db.execute("SELECT * FROM messages")}
    finally:
        db.close()


def assert_exactly_once(server: Recorder, rows: list[tuple[str, str, str]]) -> None:
    received = server.by_recipient()
    assert sorted(received) == sorted(address for _, _, address in rows)
    assert all(len(messages) == 1 for messages in received.values()), {k: len(v) for k, v in received.items()}


# ------------------------------------------------------------------------------------ the list

def test_shipped_list_is_the_191_member_states_of_2006() -> None:
    states = load_list()
    names = {s.name for s in states}
    assert len(states) == 191 == len(names) == len({s.email for s in states})
    assert {"Montenegro", "Serbia", "Vatican City State", "China", "Côte d'Ivoire"} <= names
    assert not {"Palau", "Timor-Leste", "South Sudan", "Serbia and Montenegro"} & names
    assert all(s.email.endswith(".example") for s in states)
    languages = {s.name: s.language for s in states}
    assert (languages["China"], languages["Russian Federation"], languages["Egypt"], languages["Senegal"],
            languages["Argentina"], languages["India"]) == ("zh", "ru", "ar", "fr", "es", "en")
    assert DEFAULT_LIST.read_text(encoding="utf-8").startswith("#")  # the choices are documented in it


def test_a_malformed_list_lists_every_problem_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("# comment lines count as lines\n"
                    "Name,Language,Email\n"
                    "France,fr,admin@france.example\n"
                    "france,fr,other@france.example\n"  # line 4: same name, other case
                    "Spain,sp,admin@spain.example\n"  # line 5: unknown language
                    "Kenya,en,not-an-address\n"  # line 6
                    "Chad,fr,ADMIN@france.example\n"  # line 7: same address
                    "Korea, Republic of,en,admin@korea.example\n"  # line 8: unquoted comma
                    ",en,admin@nobody.example\n", encoding="utf-8")  # line 9
    with pytest.raises(DistributionListError) as caught:
        load_list(path)
    lines = {line for line, _ in caught.value.problems}
    assert lines == {4, 5, 6, 7, 8, 9}
    text = str(caught.value)
    for expected in ("line 4: duplicate name 'france' (also on line 3)", "line 5: unknown language 'sp'",
                     "line 6: malformed email address 'not-an-address'", "line 7: duplicate email",
                     "line 8: 4 fields", "line 9: empty name"):
        assert expected in text
    assert main(["distribute", "--year", "2009", "--status", "--list", str(path), "--outputs", str(tmp_path)]) == 2
    assert "line 5" in capsys.readouterr().err


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("name;language;email\nFrance;fr;a@b.example\n", encoding="utf-8")
    with pytest.raises(DistributionListError, match="line 1: missing column"):
        load_list(path)


def test_only_names_unknown_members_with_close_matches(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["distribute", "--year", "2009", "--outputs", str(env["outputs"]), "--dry-run",
                 "--only", "Frnace,Kenya"]) == 2
    err = capsys.readouterr().err
    assert "'Frnace' (did you mean 'France'?)" in err


# ------------------------------------------------------------------------------------ refusals

def test_no_approval_is_refused(tmp_path: Path, smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    root = tmp_path / "outputs"
    make_outputs(root)
    env = {"outputs": root, "list": write_list(tmp_path / "l.csv", SMALL)}
    assert send(env, address) == 2
    assert "no approval" in capsys.readouterr().err
    assert server.messages == []


def test_a_stale_approval_is_refused(env: dict[str, Path], smtp: tuple[Recorder, str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    (env["outputs"] / "2009" / "report-2009-fr.pdf").write_bytes(b"%PDF edited after the Council\n")
    assert send(env, address) == 2
    err = capsys.readouterr().err
    assert "stale" in err and "report-2009-fr.pdf" in err
    assert server.messages == []
    assert not (env["outputs"] / "2009" / "distribution" / "ledger.sqlite").exists()


def test_from_is_required_to_send(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["distribute", "--year", "2009", "--outputs", str(env["outputs"]), "--list", str(env["list"])]) == 2
    assert "--from" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ sending

def test_every_member_state_of_the_191_gets_exactly_one_message_with_the_approved_pdf(
        tmp_path: Path, env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address, list_file=DEFAULT_LIST) == 0
    states = load_list()
    assert_exactly_once(server, [(s.name, s.language, s.email) for s in states])
    received = server.by_recipient()
    approved = {f.path: f.sha256 for f in approval.check(env["outputs"], YEAR).approval.files}
    rows = ledger_rows(env)
    for s in states:
        [message] = received[s.email]
        name, data = pdf_of(message)
        expected = attachment_name(YEAR, s.language if s.language in PDFS else "en")
        assert name == expected
        assert hashlib.sha256(data).hexdigest() == approved[expected]
        row = rows[s.name]
        assert row["state"] == "sent" and row["attachment_sha256"] == approved[expected]
        assert row["message_id"] == message["Message-ID"] and row["attempts"] == 1
        assert row["fallback"] == (s.language not in PDFS)
        letter = message.get_body(("plain",)).get_content()
        assert s.name in letter
        assert ("English version is attached" in letter) == (s.language not in PDFS)
    # a second run sends nothing more
    assert send(env, address, list_file=DEFAULT_LIST) == 0
    assert len(server.messages) == 191


def test_language_and_fallback_in_a_small_list(env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address) == 0
    received = server.by_recipient()
    assert pdf_of(received["admin@france.example"][0]) == ("report-2009-fr.pdf", PDFS["fr"])
    assert pdf_of(received["admin@spain.example"][0]) == ("report-2009-es.pdf", PDFS["es"])
    assert pdf_of(received["admin@kenya.example"][0]) == ("report-2009.pdf", PDFS["en"])
    china = received["admin@china.example"][0]
    assert pdf_of(china) == ("report-2009.pdf", PDFS["en"])
    assert "The Chinese version of the report was not available" in china.get_body(("plain",)).get_content()
    assert ledger_rows(env)["China"]["fallback"] == 1 and ledger_rows(env)["France"]["fallback"] == 0
    assert str(received["admin@cote-divoire.example"][0]["To"]) == "Côte d'Ivoire <admin@cote-divoire.example>"


def test_only_sends_to_the_named(env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "france, Côte d'Ivoire") == 0
    assert sorted(server.by_recipient()) == ["admin@cote-divoire.example", "admin@france.example"]


def test_connection_dropped_after_n_messages_then_rerun_gives_exactly_one_each(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.down_after = 2
    assert send(env, address) == 1
    out = capsys.readouterr()
    assert "stopped" in out.err and "run the same command again" in out.err.lower()
    assert len(server.messages) == 2
    states = {name: row["state"] for name, row in ledger_rows(env).items()}
    assert list(states.values()).count("sent") == 2 and list(states.values()).count("failed") == 1
    failed = next(row for row in ledger_rows(env).values() if row["state"] == "failed")
    assert failed["attempts"] == 4  # the default number of attempts, with backoff between them
    server.down_after = None  # the server is back
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)
    assert {row["state"] for row in ledger_rows(env).values()} == {"sent"}


def test_an_unconfirmed_message_is_not_resent_and_can_be_reconciled(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.drop_after_data = {3: True}  # third message accepted, then the line goes dead
    assert send(env, address) == 1
    unknown = [name for name, row in ledger_rows(env).items() if row["state"] == "sending"]
    assert len(unknown) == 1
    mid = ledger_rows(env)[unknown[0]]["message_id"]
    assert f"unknown: {unknown[0]}" in capsys.readouterr().out
    assert send(env, address) == 1  # rerun: the doubtful one is left alone
    assert_exactly_once(server, SMALL)
    assert main(["distribute", "--year", "2009", "--outputs", str(env["outputs"]), "--list", str(env["list"]),
                 "--status"]) == 0
    status = capsys.readouterr().out
    assert f"outcome unknown, check the server for {mid}" in status
    assert "totals: 5 sent, 0 failed, 0 pending, 1 unknown (of 6)" in status
    # The operator finds the Message-ID in the server's log and says so.
    assert main(["distribute", "--year", "2009", "--outputs", str(env["outputs"]), "--list", str(env["list"]),
                 "--mark-sent", unknown[0]]) == 0
    assert {row["state"] for row in ledger_rows(env).values()} == {"sent"}
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)


def test_resend_unknown_when_the_server_lost_it(env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    server.drop_after_data = {2: False}  # second message lost with the connection
    assert send(env, address) == 1
    [lost] = [row for row in ledger_rows(env).values() if row["state"] == "sending"]
    assert send(env, address, "--resend-unknown") == 0
    assert_exactly_once(server, SMALL)
    [again] = server.by_recipient()[lost["email"]]
    assert again["Message-ID"] == lost["message_id"]  # same Message-ID: recipients can tell it is one letter


def test_crash_between_send_and_record_is_not_resent(env: dict[str, Path], smtp: tuple[Recorder, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A power cut after the server took the message, before either record heard of its reply."""
    server, address = smtp
    real = Journal.append
    outcomes = {"n": 0}

    def crash_on_third_outcome(self: Journal, entry: Entry) -> None:
        if entry.state == "sent":
            outcomes["n"] += 1
            if outcomes["n"] == 3:
                raise SystemExit("power cut")  # the message went out; its outcome was never recorded
        real(self, entry)

    monkeypatch.setattr(Journal, "append", crash_on_third_outcome)
    with pytest.raises(SystemExit):
        send(env, address)
    monkeypatch.setattr(Journal, "append", real)
    assert len(server.messages) == 3
    assert sorted(row["state"] for row in ledger_rows(env).values()) == ["pending"] * 3 + ["sending"] + ["sent"] * 2
    assert send(env, address) == 1  # the rest go; the one in doubt is reported, not resent
    assert_exactly_once(server, SMALL)


def test_transient_replies_are_retried_and_permanent_ones_fail_at_once(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.rcpt_replies = {"admin@spain.example": ["451 4.3.0 try again later", "451 4.3.0 try again later"],
                           "admin@kenya.example": ["550 5.1.1 no such mailbox"]}
    assert send(env, address) == 1
    rows = ledger_rows(env)
    assert rows["Spain"]["state"] == "sent" and rows["Spain"]["attempts"] == 3
    assert rows["Kenya"]["state"] == "failed" and rows["Kenya"]["attempts"] == 1
    assert rows["Kenya"]["reply"] == "550 5.1.1 no such mailbox"
    assert "failed: Kenya: 550 5.1.1 no such mailbox" in capsys.readouterr().out
    assert len(server.messages) == 5
    # The address is corrected in the list; the rerun sends Kenya's only.
    fixed = [(n, lang, "registry@kenya.example" if n == "Kenya" else a) for n, lang, a in SMALL]
    assert send(env, address, list_file=write_list(env["list"], fixed)) == 0
    assert len(server.messages) == 6 and "registry@kenya.example" in server.by_recipient()


def test_a_recipient_whose_rcpt_drops_the_connection_fails_alone_and_the_rest_go(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.drop_at_rcpt = {"admin@spain.example"}  # second in the list
    others = [row for row in SMALL if row[0] != "Spain"]
    for _ in range(2):  # every run gets past it
        assert send(env, address) == 1
        captured = capsys.readouterr()
        assert "stopped" not in captured.err
        rows = ledger_rows(env)
        assert rows["Spain"]["state"] == "failed"
        assert "closed the connection" in rows["Spain"]["reply"] and "RCPT TO" in rows["Spain"]["reply"]
        assert "failed: Spain: " in captured.out
        assert {row["state"] for name, row in rows.items() if name != "Spain"} == {"sent"}
        assert_exactly_once(server, others)


def test_a_server_that_drops_every_rcpt_stops_the_run_after_three(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.drop_at_rcpt = {email for _, _, email in SMALL}
    assert send(env, address) == 1
    assert "stopped" in capsys.readouterr().err
    states = [row["state"] for row in ledger_rows(env).values()]
    assert sorted(states) == ["failed"] * 3 + ["pending"] * 3
    assert server.messages == []


def test_status_counts(env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    server.rcpt_replies = {"admin@kenya.example": ["550 5.1.1 no such mailbox"]}
    assert send(env, address, "--only", "France,Kenya,China") == 1
    capsys.readouterr()
    assert main(["distribute", "--year", "2009", "--outputs", str(env["outputs"]), "--list", str(env["list"]),
                 "--status"]) == 0
    out = capsys.readouterr().out
    assert "totals: 2 sent, 1 failed, 3 pending, 0 unknown (of 6)" in out
    assert "550 5.1.1 no such mailbox" in out and "not yet attempted" in out


SCRIPTS = [("中国", "zh", "admin@cn.example"), ("日本", "en", "admin@jp.example"), ("مصر", "ar", "admin@eg.example"),
           ("Российская Федерация", "ru", "admin@ru.example"), ("Ελλάδα", "en", "admin@gr.example"),
           ("Côte d'Ivoire", "fr", "admin@ci.example"), ("Føroyar", "en", "admin@fo.example")]


def test_names_in_any_script_get_a_stable_ascii_file_name_and_a_valid_message_id(
        env: dict[str, Path], smtp: tuple[Recorder, str], tmp_path: Path) -> None:
    import re
    from email.headerregistry import HeaderRegistry

    server, address = smtp
    path = write_list(tmp_path / "scripts.csv", SCRIPTS)
    states = load_list(path)  # two names that no Latin letter spells are two Member States, not a clash
    stems = {s.name: s.stem for s in states}
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem) for stem in stems.values()), stems
    assert len(set(stems.values())) == len(SCRIPTS)
    assert stems == {s.name: s.stem for s in load_list(path)}  # the same every time
    assert (stems["Российская Федерация"], stems["Ελλάδα"], stems["Côte d'Ivoire"], stems["Føroyar"]) == (
        "rossiiskaia-federatsiia", "ellada", "cote-d-ivoire", "foroyar")

    assert send(env, address, "--dry-run", list_file=path) == 0
    folder = env["outputs"] / "2009" / "distribution" / "dry-run"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{stem}.eml" for stem in stems.values())

    assert send(env, address, list_file=path) == 0
    assert_exactly_once(server, SCRIPTS)
    for name, stem in stems.items():
        [message] = server.by_recipient()[next(a for n, _, a in SCRIPTS if n == name)]
        mid = message["Message-ID"]
        assert re.fullmatch(rf"<2009\.[0-9a-f]{{12}}\.{stem}@itu\.example>", mid), mid
        parsed = HeaderRegistry()("Message-ID", mid)
        assert not parsed.defects, (mid, parsed.defects)


def test_dry_run_writes_eml_files_and_sends_nothing(env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address, "--dry-run") == 0
    folder = env["outputs"] / "2009" / "distribution" / "dry-run"
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"{n}.eml" for n in ("france", "spain", "china", "kenya", "cote-d-ivoire",
                                                 "russian-federation"))
    message = email.message_from_bytes((folder / "spain.eml").read_bytes(), policy=policy.default)
    assert pdf_of(message) == ("report-2009-es.pdf", PDFS["es"])
    assert message["Date"] == "Tue, 05 Oct 2010 12:00:00 +0000"  # SOURCE_DATE_EPOCH
    assert server.messages == []
    assert not (env["outputs"] / "2009" / "distribution" / "ledger.sqlite").exists()


def test_a_new_approval_after_a_mailing_needs_supersede(env: dict[str, Path], smtp: tuple[Recorder, str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "France") == 0
    make_outputs(env["outputs"], PDFS | {"en": b"%PDF-1.7 corrected English report\n"})
    approval.approve(env["outputs"], YEAR, "Council 2011")
    assert send(env, address) == 2
    assert "--supersede" in capsys.readouterr().err
    assert send(env, address, "--supersede") == 0
    assert len(server.by_recipient()["admin@france.example"]) == 2  # asked for: the corrected version
    assert all(len(v) == 1 for k, v in server.by_recipient().items() if k != "admin@france.example")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # the brief's test set-up
def test_smtp_auth_from_the_environment_never_written_anywhere(
        env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
        if ok:
            logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=ok, handled=False)  # handled=False: the server replies 535

    handler = Recorder()
    controller = start(handler, authenticator=authenticator, auth_required=True, auth_require_tls=False)
    address = f"127.0.0.1:{controller.port}"
    caplog.set_level(logging.DEBUG, logger="reportgen")
    try:
        # without credentials the server refuses to take mail
        assert send(env, address, "--only", "France", "--attempts", "1") == 1
        assert handler.messages == []
        monkeypatch.setenv(USER_ENV, USER)
        monkeypatch.setenv(PASSWORD_ENV, "wrong-" + PASSWORD)
        assert send(env, address, "--only", "France") == 1
        assert "refused the login" in capsys.readouterr().err
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        assert main(["-v", "distribute", "--year", str(YEAR), "--outputs", str(env["outputs"]), "--list",
                     str(env["list"]), "--smtp", address, "--from", "sg@itu.example", "--retry-delay", "0.001"]) == 0
        assert main(["distribute", "--year", str(YEAR), "--outputs", str(env["outputs"]), "--list",
                     str(env["list"]), "--status"]) == 0
    finally:
        controller.stop()
    assert logins and set(logins) == {(USER, PASSWORD)}
    assert_exactly_once(handler, SMALL)
    captured = capsys.readouterr()
    written = captured.out + captured.err + caplog.text
    assert caplog.text  # there were log lines to look at
    assert PASSWORD not in written and USER not in written
    folder = env["outputs"] / "2009" / "distribution"
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PASSWORD.encode() not in content and USER.encode() not in content, path


def test_progress_shown_only_on_a_terminal_outside_ci(env: dict[str, Path], smtp: tuple[Recorder, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    server, address = smtp
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("REPORTGEN_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert send(env, address, "--only", "France,Kenya") == 0
    shown = terminal.getvalue()
    assert "Sending to France" in shown and "Sending to Kenya" in shown and "2/2" in shown
    monkeypatch.setenv("CI", "true")
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert send(env, address, "--only", "Spain") == 0
    assert "Sending" not in quiet.getvalue()
    assert len(server.messages) == 3


def test_ledger_uses_wal(env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "Kenya") == 0
    db = sqlite3.connect(env["outputs"] / "2009" / "distribution" / "ledger.sqlite")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        events = [tuple(r) for r in db.execute("SELECT member_state, state FROM events WHERE member_state = 'Kenya'")]
    finally:
        db.close()
    assert events == [("Kenya", "pending"), ("Kenya", "sending"), ("Kenya", "sent")]
    assert json.loads((env["outputs"] / "2009" / "approvals.json").read_text())[0]["by"] == "Council 2010"
