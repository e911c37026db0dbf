"""Approval of a year's outputs (reportgen/publish/approval.py): the ledger, staleness, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.pipeline import write
from reportgen.publish import approval

YEAR = 2009


def make_outputs(root: Path, files: dict[str, bytes] | None = None, year: int = YEAR) -> Path:
    """A year's outputs as a build leaves them: the files and a manifest listing them."""
    files = dict(files or {f"report-{year}.pdf": b"%PDF-1.7 english\n", f"report-{year}.html": b"<html></html>",
                           f"report-{year}.json": b'{"year": 2009}\n'})
    out_dir = root / str(year)
    files["manifest.json"] = write.json_bytes(write.manifest(year, root / "inputs", [], out_dir, files))
    write.write_all(out_dir, files)
    return out_dir


def rebuild(root: Path, changes: dict[str, bytes], year: int = YEAR) -> None:
    """What a later build does: rewrite the files (some changed or added) and the manifest."""
    out_dir = root / str(year)
    manifest = json.loads((out_dir / "manifest.json").read_text())
    files = {e["path"]: (out_dir / e["path"]).read_bytes() for e in manifest["outputs"]}
    make_outputs(root, files | changes, year)


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1286280000")  # 2010-10-05T12:00:00Z
    root = tmp_path / "outputs"
    make_outputs(root)
    return root


def test_approve_records_every_output_with_its_hash_who_and_when(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["approve", "--year", "2009", "--by", "Council 2010", "--note", "Decision 555",
                 "--outputs", str(outputs)]) == 0
    ledger = json.loads((outputs / "2009" / "approvals.json").read_text())
    assert len(ledger) == 1
    entry = ledger[0]
    assert entry["by"] == "Council 2010" and entry["note"] == "Decision 555"
    assert entry["at"] == "2010-10-05T12:00:00Z" and entry["year"] == 2009 and entry["seq"] == 1
    manifest = json.loads((outputs / "2009" / "manifest.json").read_text())
    assert {(f["path"], f["sha256"]) for f in entry["files"]} == {(f["path"], f["sha256"]) for f in manifest["outputs"]}
    for f in entry["files"]:
        assert write.sha256_of(outputs / "2009" / f["path"]) == f["sha256"]
    assert entry["id"] in capsys.readouterr().out
    assert approval.check(outputs, YEAR).status == "valid"


def test_ledger_is_append_only_and_same_content_keeps_its_id(outputs: Path) -> None:
    first = approval.approve(outputs, YEAR, "Council 2010")
    again = approval.approve(outputs, YEAR, "Council 2010 (second reading)")
    rebuild(outputs, {"report-2009.pdf": b"%PDF-1.7 corrected\n"})
    third = approval.approve(outputs, YEAR, "Council 2011")
    ledger = approval.read_ledger(outputs / "2009")
    assert [a.seq for a in ledger] == [1, 2, 3]
    assert [a.by for a in ledger] == ["Council 2010", "Council 2010 (second reading)", "Council 2011"]
    assert first.id == again.id != third.id
    assert ledger[0] == first  # earlier entries are kept as they were
    # written by rename: no temporary file is left beside it
    assert not [p for p in (outputs / "2009").iterdir() if p.name.endswith(".part")]


def test_a_later_build_that_changes_an_approved_file_makes_the_approval_stale(outputs: Path) -> None:
    approval.approve(outputs, YEAR, "Council 2010")
    out_dir = outputs / "2009"
    assert approval.warn_if_stale(out_dir, YEAR) is None
    rebuild(outputs, {"report-2009.pdf": b"%PDF-1.7 changed\n"})
    state = approval.check(outputs, YEAR)
    assert state.status == "stale" and state.changed == ("report-2009.pdf",)
    message = approval.warn_if_stale(out_dir, YEAR)
    assert message is not None and "report-2009.pdf" in message and "approve" in message


def test_an_unapproved_new_output_or_a_missing_file_makes_it_stale(outputs: Path) -> None:
    approval.approve(outputs, YEAR, "Council 2010")
    rebuild(outputs, {"report-2009-fr.pdf": b"%PDF-1.7 francais\n"})
    state = approval.check(outputs, YEAR)
    assert state.status == "stale" and state.added == ("report-2009-fr.pdf",) and state.changed == ()
    (outputs / "2009" / "report-2009.html").unlink()
    assert "report-2009.html (missing)" in approval.check(outputs, YEAR).changed


def test_no_approval(outputs: Path) -> None:
    assert approval.check(outputs, YEAR).status == "none"
    assert approval.warn_if_stale(outputs / "2009", YEAR) is None


def test_approve_refuses_files_that_differ_from_the_manifest(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (outputs / "2009" / "report-2009.pdf").write_bytes(b"%PDF edited by hand\n")
    assert main(["approve", "--year", "2009", "--by", "Council 2010", "--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert "report-2009.pdf" in err and "manifest" in err and len(err.strip().splitlines()) == 1
    assert not (outputs / "2009" / "approvals.json").exists()


@pytest.mark.parametrize("case, expected", [
    ("no manifest", "build the report first"),
    ("no pdf", "lists no report-2009.pdf"),
    ("empty by", "--by"),
])
def test_approve_refusals(tmp_path: Path, case: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "outputs"
    by = "Council 2010"
    if case == "no pdf":
        make_outputs(root, {"report-2009.html": b"<html>"})
    elif case == "empty by":
        make_outputs(root)
        by = "  "
    assert main(["approve", "--year", "2009", "--by", by, "--outputs", str(root)]) == 2
    assert expected in capsys.readouterr().err


def test_a_damaged_ledger_is_an_error_not_an_empty_one(outputs: Path) -> None:
    (outputs / "2009" / "approvals.json").write_text("[{", encoding="utf-8")
    with pytest.raises(approval.ApprovalError, match="backup"):
        approval.check(outputs, YEAR)
    assert "backup" in (approval.warn_if_stale(outputs / "2009", YEAR) or "")
