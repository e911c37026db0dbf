"""The distribution's two records (the ledger and the journal beside it) against lost, emptied,
damaged and locked files, with a real SMTP server: nothing is ever sent twice because a file
went missing, and every refusal is one line that says which command resolves it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reportgen.cli import main
from reportgen.publish.distribution.journal import Journal
from reportgen.publish.distribution.ledger import Ledger
from tests.test_distribute import SMALL, YEAR, Recorder, assert_exactly_once, env, ledger_rows, send, smtp  # noqa: F401


def paths(env: dict[str, Path]) -> dict[str, Path]:
    year_dir = env["outputs"] / str(YEAR)
    return {"ledger": year_dir / "distribution" / "ledger.sqlite", "folder": year_dir / "distribution",
            "journal": year_dir / "distribution-journal.jsonl"}


def run(env: dict[str, Path], *extra: str) -> int:
    return main(["distribute", "--year", str(YEAR), "--outputs", str(env["outputs"]), "--list", str(env["list"]),
                 *extra])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("loss", ["emptied", "deleted", "folder deleted"])
def test_a_lost_ledger_sends_nothing_twice(env: dict[str, Path], smtp: tuple[Recorder, str],
                                           capsys: pytest.CaptureFixture[str], loss: str) -> None:
    server, address = smtp
    server.drop_after_data = {3: True}  # the third is accepted, its reply lost: outcome unknown
    server.rcpt_replies = {"admin@kenya.example": ["550 5.1.1 no such mailbox"]}
    assert send(env, address) == 1
    [unknown] = [name for name, row in ledger_rows(env).items() if row["state"] == "sending"]
    received = len(server.messages)
    where = paths(env)
    if loss == "emptied":
        where["ledger"].write_bytes(b"")  # : > ledger.sqlite
    elif loss == "deleted":
        where["ledger"].unlink()
    else:
        shutil.rmtree(where["folder"])
    capsys.readouterr()

    for extra in ((), ("--resend-unknown",), ("--dry-run",)):
        assert send(env, address, *extra) == 2
        err = one_line(capsys)
        assert "disagree" in err and f"reportgen distribute --year {YEAR} --outputs" in err and "--reconcile" in err
        assert f"{unknown}: ledger pending, journal unknown" in err
    assert len(server.messages) == received  # nothing sent again, the one in doubt included

    assert run(env, "--reconcile") == 0
    assert "reconciled" in capsys.readouterr().out
    assert send(env, address) == 1  # Kenya is tried again (failed before); the one in doubt is not
    assert f"unknown: {unknown}" in capsys.readouterr().out
    assert_exactly_once(server, SMALL)
    assert run(env, "--status") == 0
    assert "totals: 5 sent, 0 failed, 0 pending, 1 unknown (of 6)" in capsys.readouterr().out


def test_a_deleted_journal_is_refused_and_rebuilt_from_the_ledger(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "France,Kenya") == 0
    paths(env)["journal"].unlink()
    capsys.readouterr()
    assert send(env, address) == 2
    err = one_line(capsys)
    assert "journal" in err and "missing" in err and "--reconcile" in err
    assert run(env, "--reconcile") == 0
    assert [e.state for e in Journal(paths(env)["journal"]).read()] == ["sent", "sent"]
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)


def test_status_marks_what_the_journal_says_when_the_records_disagree(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "France") == 0
    paths(env)["ledger"].unlink()
    capsys.readouterr()
    assert run(env, "--status") == 0
    captured = capsys.readouterr()
    france = next(line for line in captured.out.splitlines() if line.startswith("France"))
    assert "[the journal says: sent]" in france
    assert "--reconcile" in captured.err


def test_a_crash_after_the_server_accepted_is_recovered_from_the_journal(
        env: dict[str, Path], smtp: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch) -> None:
    server, address = smtp
    real = Ledger.mark_sent
    calls = {"n": 0}

    def crash_on_third(self: Ledger, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("power cut")  # the journal has the 250 reply; the ledger never got it
        real(self, *args)

    monkeypatch.setattr(Ledger, "mark_sent", crash_on_third)
    with pytest.raises(SystemExit):
        send(env, address)
    monkeypatch.setattr(Ledger, "mark_sent", real)
    assert sorted(row["state"] for row in ledger_rows(env).values()) == ["pending"] * 3 + ["sending"] + ["sent"] * 2
    assert send(env, address) == 0  # the journal says it was sent: recorded so, not sent again
    assert_exactly_once(server, SMALL)
    assert {row["state"] for row in ledger_rows(env).values()} == {"sent"}


def test_a_damaged_ledger_is_one_line_and_is_rebuilt_from_the_journal(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address) == 0
    paths(env)["ledger"].write_bytes(b"not a database, whatever it was before\n" * 200)
    capsys.readouterr()
    assert send(env, address) == 2
    err = one_line(capsys)
    assert "ledger.sqlite is damaged" in err and "--reconcile" in err
    assert run(env, "--reconcile") == 0
    out = capsys.readouterr().out
    assert "ledger.sqlite.damaged-" in out
    assert list(paths(env)["folder"].glob("ledger.sqlite.damaged-*"))  # kept for whoever looks into it
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)
    assert all(row["attempts"] == 1 for row in ledger_rows(env).values())


def test_a_damaged_journal_line_is_one_line_and_is_rebuilt_from_the_ledger(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address) == 0
    journal = paths(env)["journal"]
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = "{garbled\n"
    journal.write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert send(env, address) == 2
    err = one_line(capsys)
    assert "distribution-journal.jsonl line 2" in err and "--reconcile" in err
    assert run(env, "--reconcile") == 0
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)


def test_a_torn_last_journal_line_from_a_crash_is_dropped(
        env: dict[str, Path], smtp: tuple[Recorder, str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "France") == 0
    journal = paths(env)["journal"]
    with journal.open("ab") as handle:
        handle.write(b'{"approval_id": "abc", "member_state": "Ke')  # the write a power cut stopped
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)
    assert all(line.endswith("}") for line in journal.read_text(encoding="utf-8").splitlines())


def test_a_ledger_locked_by_another_program_names_it(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    server, address = smtp
    assert send(env, address, "--only", "France") == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
                               "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                               "db.execute('BEGIN IMMEDIATE')\n"
                               "db.execute('DELETE FROM events WHERE 0')\n"
                               "print('locked', flush=True)\n"
                               "time.sleep(120)\n", str(paths(env)["ledger"])],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        capsys.readouterr()
        assert send(env, address) == 2
        err = one_line(capsys)
        assert "ledger.sqlite is locked by another program" in err and f"pid {holder.pid}" in err
        assert "nothing sent" in err
    finally:
        holder.kill()
        holder.communicate()
    assert len(server.messages) == 1
    assert send(env, address) == 0
    assert_exactly_once(server, SMALL)


def test_the_ledger_alone_is_not_trusted_when_it_is_behind(
        env: dict[str, Path], smtp: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A ledger restored from an older backup: rows that were sent since say `pending`."""
    server, address = smtp
    assert send(env, address, "--only", "France") == 0
    backup = paths(env)["ledger"].read_bytes()
    assert send(env, address, "--only", "Spain,Kenya") == 0
    paths(env)["ledger"].write_bytes(backup)
    capsys.readouterr()
    assert send(env, address) == 2
    err = one_line(capsys)
    assert "Spain: ledger pending, journal sent" in err and "Kenya: ledger pending, journal sent" in err
    assert len(server.messages) == 3
    db = sqlite3.connect(paths(env)["ledger"])
    try:
        assert db.execute("SELECT COUNT(*) FROM messages WHERE state = 'sent'").fetchone()[0] == 1
    finally:
        db.close()
