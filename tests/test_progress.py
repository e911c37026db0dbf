"""The progress display: drawn on a terminal, silent when output is piped or in CI."""

import io
import logging

import pytest

from reportgen.util.progress import Progress, wanted


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_ci(monkeypatch):
    for name in ("CI", "REPORTGEN_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")


def run(stream, total=5, **kwargs) -> str:
    with Progress("Reading workbooks", total=total, stream=stream, interval=0, **kwargs) as progress:
        for _ in range(total):
            progress.advance()
    return stream.getvalue()


def test_quiet_when_not_a_terminal():
    assert run(io.StringIO()) == ""


def test_quiet_in_ci_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert run(FakeTerminal()) == ""


def test_quiet_on_a_dumb_terminal_or_when_turned_off(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert run(FakeTerminal()) == ""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("REPORTGEN_PROGRESS", "0")
    assert run(FakeTerminal()) == ""


def test_quiet_on_a_closed_or_odd_stream():
    closed = io.StringIO()
    closed.close()
    assert not wanted(closed)
    assert not wanted(object())  # no isatty at all


def test_draws_on_a_terminal_and_erases_itself():
    out = run(FakeTerminal(), total=4)
    assert "Reading workbooks [" in out
    assert "4/4 100%" in out
    assert out.endswith("\r\x1b[2K")  # the line is gone when the block ends
    assert "\n" not in out


def test_redraws_are_throttled():
    terminal = FakeTerminal()
    with Progress("Reading", total=10_000, stream=terminal, interval=60) as progress:
        for _ in range(10_000):
            progress.advance()
    # the first draw, the final 10000/10000, and the erase: not 10,000 redraws
    assert terminal.getvalue().count("\r") <= 3


def test_open_count_and_callback_form():
    terminal = FakeTerminal()
    with Progress("Sending", stream=terminal, interval=0) as progress:
        progress(2)
        progress(1)
    assert "Sending: 3" in terminal.getvalue()


def test_a_logged_warning_erases_the_line_first():
    terminal = FakeTerminal()
    handler = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with Progress("Reading", total=2, stream=terminal, interval=0) as progress:
            progress.advance()
            logging.getLogger("reportgen.test").warning("odd file")
            progress.advance()
        assert "\r\x1b[2Kodd file\n" in terminal.getvalue()
        assert not handler.filters  # the filter is removed afterwards
    finally:
        root.removeHandler(handler)


def test_enabled_can_be_forced_either_way():
    assert run(io.StringIO(), enabled=True) != ""
    assert run(FakeTerminal(), enabled=False) == ""
