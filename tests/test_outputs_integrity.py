"""A build's outputs appear together or not at all (issue 16).

Whatever stops a build (a kill at any rename or removal, a rename that fails, a full disk, a
read-only folder), `outputs/<YEAR>/` holds either the whole earlier set or the whole new one,
the files a build does not make (approvals, the distribution ledger, templates, a user's notes)
are untouched, and no temporary file or folder is left once the next build has started. A
build without PDF leaves no PDF of an earlier build behind. Layouts and options that cannot
work are refused before any work, with one line.

The kills and failures are real: `strace` stops the build (SIGKILL) or fails the call (EIO) at
the n-th call of a kind; the full disk is a small tmpfs and the read-only folder a read-only
bind mount, both in a private mount namespace (`unshare`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
YEAR = 2009
# Files a build does not make, which every build must leave exactly as they are.
KEPT = {
    "approvals.json": b'[{"id": "2009-A1", "by": "Council 2010"}]\n',
    "distribution/ledger.sqlite": b"SQLite format 3\x00" + bytes(range(256)),
    "distribution/dry-run/Kenya.eml": b"Subject: Report 2009\r\n\r\nsee attached\r\n",
    "templates/BR_2009.xlsx": b"PK\x03\x04 a template",
    "notes.txt": b"my own notes\n",
}
KEPT_TOP = {name.split("/")[0] for name in KEPT}


def reportgen(*argv: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`python -m reportgen ARGV` in a new process (optionally under `prefix`, e.g. strace)."""
    return subprocess.run([*prefix, sys.executable, "-m", "reportgen", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def build_argv(outputs: Path, *extra: str, inputs: Path = INPUTS) -> list[str]:
    return ["build", "--year", str(YEAR), "--inputs", str(inputs), "--outputs", str(outputs), "--no-pdf", *extra]


def files_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones included) by relative path, with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_set(year_dir: Path) -> dict[str, str]:
    """The files of `year_dir` that a build makes: visible top-level files, not the kept ones."""
    return {name: sha for name, sha in files_of(year_dir).items()
            if "/" not in name and not name.startswith(".") and name not in KEPT_TOP}


def leftovers(outputs: Path) -> list[str]:
    """Temporary files and folders under `outputs`: anything hidden but the build key."""
    return sorted(p.relative_to(outputs).as_posix() for p in outputs.rglob("*")
                  if any(part.startswith(".") for part in p.relative_to(outputs).parts)
                  and p.relative_to(outputs).as_posix() != f"{YEAR}/.build-key")


def one_line_error(result: subprocess.CompletedProcess | str) -> str:
    err = result if isinstance(result, str) else result.stderr
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.startswith("reportgen: "), err
    return err


@dataclass(frozen=True)
class Reference:
    old: dict[str, str]  # the build set of the earlier build
    new: dict[str, str]  # the build set of the build under test (one KPI's Actual changed)
    old_dir: Path  # outputs/<YEAR> of the earlier build, as it left it
    inputs: dict[str, Path]  # {"old": the earlier inputs, "new": the changed ones}

    def argv(self, outputs: Path, which: str, *extra: str) -> list[str]:
        return build_argv(outputs, *extra, inputs=self.inputs[which])


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    import openpyxl

    root = tmp_path_factory.mktemp("reference")
    inputs = {"old": root / "inputs-old", "new": root / "inputs-new"}
    for folder in inputs.values():
        shutil.copytree(INPUTS, folder)
    workbook = openpyxl.load_workbook(inputs["new"] / str(YEAR) / "BR_2009.xlsx")
    workbook["KPIs"]["F4"] = 4321  # the Actual of the first KPI row
    workbook.save(inputs["new"] / str(YEAR) / "BR_2009.xlsx")
    for which, folder in inputs.items():
        result = reportgen(*build_argv(root / which, inputs=folder))
        assert result.returncode == 0, result.stderr
    old, new = build_set(root / "old" / str(YEAR)), build_set(root / "new" / str(YEAR))
    assert set(old) == set(new) == {f"report-{YEAR}.html", f"report-{YEAR}.json", f"data-{YEAR}.xlsx", "manifest.json"}
    assert all(old[name] != new[name] for name in old)  # every file tells the two builds apart
    return Reference(old, new, root / "old" / str(YEAR), inputs)


def seed(outputs: Path, reference: Reference) -> Path:
    """`outputs/<YEAR>` as the earlier build left it, plus files no build makes."""
    year_dir = outputs / str(YEAR)
    shutil.copytree(reference.old_dir, year_dir)
    for name, data in KEPT.items():
        (year_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (year_dir / name).write_bytes(data)
    return year_dir


def state_of(year_dir: Path, reference: Reference) -> str:
    """'old' or 'new' when `year_dir` holds one whole set and every kept file as it was."""
    found = files_of(year_dir)
    for name, data in KEPT.items():
        assert found.get(name) == hashlib.sha256(data).hexdigest(), f"{name} was lost or changed"
    files = build_set(year_dir)

    def which(name: str, sha: str) -> str:
        return "old" if reference.old.get(name) == sha else "new" if reference.new.get(name) == sha else "?"

    assert files in (reference.old, reference.new), (
        "a mixed folder: " + ", ".join(f"{name} {which(name, sha)}" for name, sha in sorted(files.items())))
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {o["path"] for o in manifest["outputs"]} | {"manifest.json"} == set(files)
    return "old" if files == reference.old else "new"


def strace(calls: str, action: str, when: int) -> tuple[str, ...]:
    """Run under strace, doing `action` (signal=KILL, error=EIO) at the `when`-th call of `calls`."""
    assert shutil.which("strace"), "these tests need strace (apt-get install strace)"
    return ("strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={calls}",
            "-e", f"inject={calls}:{action}:when={when}")


RENAMES = "rename,renameat,renameat2"
REMOVALS = "unlink,unlinkat,rmdir"
LINKS = "link,linkat"
KILL_POINTS = ([(RENAMES, n) for n in range(1, 7)] + [(REMOVALS, n) for n in range(1, 4)] + [(LINKS, 1)])


# -- finding 1: kills and failures --------------------------------------------------------------

@pytest.mark.parametrize("calls,when", KILL_POINTS, ids=[f"{c.split(',')[0]}-{n}" for c, n in KILL_POINTS])
def test_a_kill_at_any_rename_or_removal_leaves_one_whole_set(tmp_path, reference, calls, when):
    outputs = tmp_path / "outputs"
    year_dir = seed(outputs, reference)
    reportgen(*reference.argv(outputs, "new", "--force"), prefix=strace(calls, "signal=KILL", when))
    state_of(year_dir, reference)  # old or new, never a mix, kept files untouched

    # The next start finishes the job: the new set, and nothing temporary anywhere.
    again = reportgen(*reference.argv(outputs, "new"))
    assert again.returncode == 0, again.stderr
    assert state_of(year_dir, reference) == "new"
    assert leftovers(outputs) == []


FAILURES = [(RENAMES, 1), (RENAMES, 2), ("renameat2", 1), ("rename", 1), ("rename", 2)]


@pytest.mark.parametrize("calls,when", FAILURES, ids=[f"{c.split(',')[0]}-{n}" for c, n in FAILURES])
def test_a_failing_rename_gives_one_line_and_leaves_one_whole_set(tmp_path, reference, calls, when):
    outputs = tmp_path / "outputs"
    year_dir = seed(outputs, reference)
    result = reportgen(*reference.argv(outputs, "new", "--force"), prefix=strace(calls, "error=EIO", when))
    state = state_of(year_dir, reference)
    if result.returncode == 0:  # e.g. only the build key could not be stored: the next build runs in full
        assert state == "new" and "Traceback" not in result.stderr
    else:
        assert result.returncode == 2 and state == "old"
        assert "Input/output error" in one_line_error(result)
    assert leftovers(outputs) == []  # right away, not only after the next start


# Where the system cannot swap two folders in one step, the year's folder is renamed away and
# the new one renamed in: a kill between the two leaves no year folder until the next start.
TWO_RENAMES = ("import sys\nfrom reportgen.pipeline import write\nwrite._exchange = lambda first, second: False\n"
               "from reportgen.cli import main\nsys.exit(main(sys.argv[1:]))\n")


@pytest.mark.parametrize("when", [1, 2, 3])
def test_without_an_atomic_swap_the_next_start_puts_one_whole_set_back(tmp_path, reference, when):
    outputs = tmp_path / "outputs"
    year_dir = seed(outputs, reference)
    subprocess.run([*strace(RENAMES, "signal=KILL", when), sys.executable, "-c", TWO_RENAMES,
                    *reference.argv(outputs, "new", "--force")], capture_output=True, timeout=600)
    if year_dir.exists():
        state_of(year_dir, reference)
    # The next start, even one with nothing to build, brings the year's folder back whole.
    again = reportgen(*reference.argv(outputs, "old"))
    assert again.returncode == 0, again.stderr
    assert state_of(year_dir, reference) in ("old", "new")
    assert leftovers(outputs) == []


def test_what_a_killed_build_left_is_cleared_and_what_was_new_in_it_is_kept(tmp_path, reference):
    """A build killed after its swap leaves the earlier folder beside the new one; a file written
    there after the build made its links (a template, say) is moved into the year's folder."""
    from reportgen.pipeline import write

    outputs = tmp_path / "outputs"
    year_dir = seed(outputs, reference)
    gone = subprocess.Popen(["true"])
    gone.wait()  # its process id belongs to a build that is no longer running
    earlier = outputs / f".{YEAR}.new-{gone.pid}-0123abcd"
    shutil.copytree(year_dir, earlier)
    (earlier / "templates" / "TSB_2009.xlsx").write_bytes(b"written while the build ran")
    (earlier / "notes.txt").write_bytes(b"an older version")
    staging = outputs / f".{YEAR}.new-{gone.pid}-4567cdef"
    staging.mkdir()
    (staging / write.STAGING_MARK).touch()
    (staging / f"report-{YEAR}.html").write_bytes(b"half a report")

    write.recover(year_dir)
    assert leftovers(outputs) == []
    assert (year_dir / "templates" / "TSB_2009.xlsx").read_bytes() == b"written while the build ran"
    assert state_of(year_dir, reference) == "old"  # notes.txt as it is in the year's folder, not the older one


def test_an_output_name_taken_by_a_folder_is_replaced_with_the_whole_set(tmp_path, reference):
    """The finding: `manifest.json` made a folder; the build replaced three files, then a traceback."""
    outputs = tmp_path / "outputs"
    year_dir = seed(outputs, reference)
    (year_dir / "manifest.json").unlink()
    (year_dir / "manifest.json" / "inside").mkdir(parents=True)
    result = reportgen(*reference.argv(outputs, "new", "--force"))
    assert result.returncode == 0, result.stderr
    assert state_of(year_dir, reference) == "new"
    assert leftovers(outputs) == []


def in_mount_namespace(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`sh -c script` with its own mounts (as root of a user namespace), nothing else changed."""
    assert shutil.which("unshare"), "these tests need unshare (util-linux)"
    result = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-ec", script],
                            capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    assert "unshare:" not in result.stderr and "mount:" not in result.stderr, (
        "these tests need a private mount namespace (unshare --user --mount): " + result.stderr)
    return result


def test_a_full_disk_leaves_the_old_set_whole_and_no_temporary_file(tmp_path, reference):
    seed(tmp_path / "seed", reference)
    used = sum(p.stat().st_size for p in (tmp_path / "seed").rglob("*") if p.is_file())
    # Room for the earlier outputs and half of a new set: the new set cannot be written whole.
    size_kb = (used + sum(p.stat().st_size for p in reference.old_dir.iterdir()) // 2) // 1024 + 64
    disk, after = tmp_path / "disk", tmp_path / "after"
    disk.mkdir()
    script = ('mount -t tmpfs -o size="$SIZE"k tmpfs "$DISK"\n'
              'cp -a "$SEED"/. "$DISK"/\n'
              'rc=0; "$PYTHON" -m reportgen build --year 2009 --inputs "$INPUTS" --outputs "$DISK" --no-pdf '
              '--force || rc=$?\n'
              'cp -a "$DISK"/. "$AFTER"/\n'
              'exit $rc\n')
    result = in_mount_namespace(script, {"SIZE": str(size_kb), "DISK": str(disk), "SEED": str(tmp_path / "seed"),
                                         "AFTER": str(after), "PYTHON": sys.executable,
                                         "INPUTS": str(reference.inputs["new"])})
    assert result.returncode == 2, result.stderr
    assert "No space left on device" in one_line_error(result)
    assert state_of(after / str(YEAR), reference) == "old"
    assert leftovers(after) == []


# -- finding 4: a read-only outputs folder ------------------------------------------------------

@pytest.mark.parametrize("which,extra", [("old", "--force"), ("new", "")], ids=["force", "changed-inputs"])
def test_a_read_only_outputs_folder_is_one_line(tmp_path, reference, which, extra):
    outputs = tmp_path / "outputs"
    seed(outputs, reference)
    first = reportgen(*reference.argv(outputs, "old"))  # the earlier build's key, in place
    assert first.returncode == 0 and "up to date" in first.stdout, first.stderr
    script = ('mount --bind "$OUT" "$OUT"\nmount -o remount,bind,ro "$OUT"\n'
              '"$PYTHON" -m reportgen build --year 2009 --inputs "$INPUTS" --outputs "$OUT" --no-pdf $EXTRA\n')
    env = {"OUT": str(outputs), "PYTHON": sys.executable, "INPUTS": str(reference.inputs[which]), "EXTRA": extra}
    result = in_mount_namespace(script, env)
    assert result.returncode == 2
    err = one_line_error(result)
    assert "Read-only file system" in err and str(outputs) in err and "--outputs" in err
    assert state_of(outputs / str(YEAR), reference) == "old"
    # Up to date, a read-only folder is no obstacle: the outputs are read, not written.
    unchanged = in_mount_namespace(script, env | {"INPUTS": str(reference.inputs["old"]), "EXTRA": ""})
    assert unchanged.returncode == 0 and "up to date" in unchanged.stdout, unchanged.stderr


# -- finding 7: no PDF of an earlier build beside the new outputs -------------------------------

def test_a_build_without_pdf_removes_the_pdf_of_the_build_before(tmp_path, built, capsys):
    outputs = tmp_path / "outputs"
    shutil.copytree(built["folder"], outputs / str(YEAR))
    assert (outputs / str(YEAR) / f"report-{YEAR}.pdf").is_file()
    (outputs / str(YEAR) / "notes.txt").write_text("mine")
    assert main(build_argv(outputs, "--force")) == 0
    year_dir = outputs / str(YEAR)
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    assert f"report-{YEAR}.pdf" not in listed
    assert sorted(p.name for p in year_dir.iterdir() if not p.name.startswith(".")) == sorted(
        listed | {"manifest.json", "notes.txt"})


# -- finding 6: outputs and inputs that overlap --------------------------------------------------

@pytest.mark.parametrize("layout", ["same", "outputs-in-year", "outputs-in-earlier-year", "inputs-in-outputs-year"])
def test_outputs_and_inputs_that_overlap_are_refused_before_any_work(tmp_path, capsys, layout):
    root = tmp_path / "data"
    shutil.copytree(INPUTS, root)
    inputs, outputs = {
        "same": (root, root),
        "outputs-in-year": (root, root / str(YEAR) / "out"),
        "outputs-in-earlier-year": (root, root / "2008" / "reports"),
        "inputs-in-outputs-year": (root / str(YEAR) / "in", root),
    }[layout]
    if layout == "inputs-in-outputs-year":
        shutil.copytree(INPUTS, inputs)
    before = files_of(root)
    assert main(build_argv(outputs, inputs=inputs)) == 2
    err = one_line_error(capsys.readouterr().err)
    assert "--outputs" in err and "--inputs" in err
    assert files_of(root) == before  # nothing written, in the inputs above all


def test_outputs_beside_the_year_folders_of_the_inputs_are_allowed(tmp_path):
    """Only the year folders are read as returns: `--outputs inputs/reports` works (and the
    second build finds its outputs up to date)."""
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    first, second = (reportgen(*build_argv(inputs / "reports", inputs=inputs)) for _ in range(2))
    assert first.returncode == 0 and "written to" in first.stdout, first.stderr
    assert second.returncode == 0 and "up to date" in second.stdout, second.stderr
    errors = json.loads((inputs / "reports" / str(YEAR) / f"report-{YEAR}.json").read_text(encoding="utf-8"))
    assert not [p for p in errors["problems"] if "data-2009" in (p["file"] or "")]


# -- finding 5: options checked before any work --------------------------------------------------

@pytest.mark.parametrize("argv,named", [
    (["--pdf-variant", "foo"], "--pdf-variant"),
    (["--max-file-mb", "nan"], "--max-file-mb"),
    (["--max-file-mb", "inf"], "--max-file-mb"),
    (["--max-file-mb", "-1"], "--max-file-mb"),
    (["--max-unpacked-mb", "nan"], "--max-unpacked-mb"),
])
def test_a_bad_build_option_is_one_line_before_any_work(tmp_path, capsys, argv, named):
    outputs = tmp_path / "outputs"
    args = ["build", "--year", str(YEAR), "--inputs", str(INPUTS), "--outputs", str(outputs), *argv]
    assert main(args) == 2
    err = one_line_error(capsys.readouterr().err)
    assert named in err
    assert not outputs.exists()


def test_an_unknown_pdf_variant_lists_those_that_exist(capsys):
    assert main(["build", "--year", "2009", "--pdf-variant", "pdf/a-9"]) == 2
    err = capsys.readouterr().err
    assert "pdf/ua-1" in err and "pdf/a-3b" in err


def test_the_pdf_variants_offered_are_those_of_weasyprint():
    import weasyprint.pdf

    from reportgen.options import PDF_VARIANTS

    assert set(PDF_VARIANTS) == set(weasyprint.pdf.VARIANTS)


@pytest.mark.parametrize("command", ["validate", "template"])
def test_a_bad_size_limit_is_one_line_in_the_other_commands_too(tmp_path, capsys, command):
    args = [command, "--year", str(YEAR), "--inputs", str(INPUTS), "--max-file-mb", "nan"]
    if command == "template":
        args += ["--bureau", "BR", "--out", str(tmp_path / "BR.xlsx")]
    assert main(args) == 2
    assert "--max-file-mb" in one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "BR.xlsx").exists()


@pytest.mark.parametrize("epoch", ["99999999999999999999", "1e9", "tomorrow"])
def test_a_bad_source_date_epoch_is_one_line(tmp_path, capsys, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    outputs = tmp_path / "outputs"
    assert main(build_argv(outputs)) == 2
    assert "SOURCE_DATE_EPOCH" in one_line_error(capsys.readouterr().err)
    assert not outputs.exists()


def test_source_date_epoch_dates_the_report(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1262304000")  # 2010-01-01T00:00:00Z
    outputs = tmp_path / "outputs"
    assert main(build_argv(outputs)) == 0
    assert "1 January 2010" in (outputs / str(YEAR) / f"report-{YEAR}.html").read_text(encoding="utf-8")
