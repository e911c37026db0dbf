"""One writer at a time per outputs year (contract 8.7), with real processes: a `reportgen
distribute` held in the middle of an SMTP transaction by a real (aiosmtpd) server that does not
answer yet, and `build`, `approve` and `distribute` of the same year started beside it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from reportgen.publish import approval
from reportgen.util.lock import lock_path
from tests.test_distribute import SMALL, YEAR, Recorder, make_outputs, start, write_list

ROOT = Path(__file__).resolve().parents[1]


def reportgen(*args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN_SMTP_")}
    return subprocess.run([sys.executable, "-m", "reportgen", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


class StallingRecorder(Recorder):
    """Takes the whole message, then waits for `release` before it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.entered.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Held:
    outputs: Path
    list_file: Path
    address: str
    process: subprocess.Popen[str]
    server: StallingRecorder


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Held]:
    """A real `reportgen distribute` of 2009, stopped inside its first SMTP transaction."""
    outputs = tmp_path / "outputs"
    make_outputs(outputs)
    approval.approve(outputs, YEAR, "Council 2010")
    list_file = write_list(tmp_path / "list.csv", SMALL)
    server = StallingRecorder()
    controller = start(server)
    address = f"127.0.0.1:{controller.port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "distribute", "--year", str(YEAR), "--outputs", str(outputs),
         "--list", str(list_file), "--only", "France", "--smtp", address, "--from", "sg@itu.example"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.entered.wait(120), process.communicate(timeout=5)
        yield Held(outputs, list_file, address, process, server)
    finally:
        server.release.set()
        if process.poll() is None:
            process.kill()
        process.communicate()
        controller.stop()


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file() and "distribution" not in p.parts}


def test_a_second_writer_of_the_same_year_exits_2_naming_the_first(held: Held) -> None:
    year_dir = held.outputs / str(YEAR)
    before = files_of(year_dir)
    seconds = {
        "approve": ["approve", "--year", YEAR, "--by", "Council 2011", "--outputs", held.outputs],
        "build": ["build", "--year", YEAR, "--inputs", ROOT / "inputs", "--outputs", held.outputs, "--no-pdf"],
        "distribute": ["distribute", "--year", YEAR, "--outputs", held.outputs, "--list", held.list_file,
                       "--only", "Kenya", "--smtp", held.address, "--from", "sg@itu.example"],
    }
    for command, args in seconds.items():
        done = reportgen(*args)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, (command, done.stderr)
        assert f"'reportgen distribute' (pid {held.process.pid}, since " in lines[0]
        assert f"'reportgen {command}' did nothing" in lines[0]
    assert files_of(year_dir) == before  # no build output, no approval
    assert len(approval.read_ledger(year_dir)) == 1
    assert held.server.messages == []  # Kenya was not sent beside France's transaction

    # Reading is not writing: the status can be watched while the mailing runs.
    status = reportgen("distribute", "--year", YEAR, "--outputs", held.outputs, "--list", held.list_file, "--status")
    assert status.returncode == 0 and "outcome unknown" in status.stdout

    held.server.release.set()
    assert held.process.wait(120) == 0
    assert reportgen(*seconds["approve"]).returncode == 0  # the first is done: the next may write
    assert not lock_path(held.outputs, YEAR).exists()  # removed by its holder when done


def test_a_holder_killed_with_sigkill_leaves_a_file_that_blocks_no_one(held: Held) -> None:
    held.process.send_signal(signal.SIGKILL)
    held.process.wait(60)
    assert f'"pid": {held.process.pid}' in lock_path(held.outputs, YEAR).read_text()  # left as it was
    done = reportgen("approve", "--year", YEAR, "--by", "Council 2011", "--outputs", held.outputs)
    assert done.returncode == 0, done.stderr
    assert len(approval.read_ledger(held.outputs / str(YEAR))) == 2


def test_a_forked_worker_that_outlives_its_killed_parent_does_not_keep_the_lock(tmp_path: Path) -> None:
    """As PDF workers may outlive a build killed with -9: they must not block the next command."""
    outputs = tmp_path / "outputs"
    make_outputs(outputs)
    script = (
        "import multiprocessing, os, sys, time\n"
        "from pathlib import Path\n"
        "from reportgen.util.lock import year_lock\n"
        "with year_lock(Path(sys.argv[1]), 2009, 'build'):\n"
        "    worker = multiprocessing.get_context('fork').Process(target=time.sleep, args=(120,))\n"
        "    worker.start()\n"
        "    print(worker.pid, flush=True)\n"
        "    os.kill(os.getpid(), 9)\n")
    # The worker keeps the parent's stdout open: read its line, not the pipe to its end.
    parent = subprocess.Popen([sys.executable, "-c", script, str(outputs)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert parent.wait(60) == -signal.SIGKILL
    parent.stdout.close()
    try:
        os.kill(worker, 0)  # the worker is still there
        done = reportgen("approve", "--year", YEAR, "--by", "Council 2010", "--outputs", outputs)
        assert done.returncode == 0, done.stderr
    finally:
        os.kill(worker, signal.SIGKILL)


def test_processes_racing_for_the_lock_never_hold_it_together(tmp_path: Path) -> None:
    """Holders remove the lock file when done; whoever opened it just before must not then hold
    a file that no longer has the name while a third process holds the new one."""
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from reportgen.util.lock import YearLockedError, year_lock\n"
        "outputs, inside, taken = Path(sys.argv[1]), Path(sys.argv[2]), 0\n"
        "while taken < 150:\n"
        "    try:\n"
        "        with year_lock(outputs, 2009, 'build'):\n"
        "            fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if another is inside\n"
        "            time.sleep(0.0005)\n"
        "            os.close(fd)\n"
        "            os.unlink(inside)\n"
        "            taken += 1\n"
        "    except YearLockedError:\n"
        "        pass\n")
    outputs, inside = tmp_path / "outputs", tmp_path / "inside"
    racers = [subprocess.Popen([sys.executable, "-c", script, str(outputs), str(inside)], cwd=ROOT,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(racer.wait(300), racer.communicate()[1]) for racer in racers]
    assert all(code == 0 for code, _ in results), results
