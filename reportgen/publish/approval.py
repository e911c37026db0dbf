"""The Council's approval of a year's outputs, and whether the files on disk are still those.

`reportgen approve` records, in `outputs/<Y>/approvals.json`, the SHA-256 of every output the
manifest lists (after checking the files on disk against the manifest), who approved and when.
The ledger is an append-only JSON list, rewritten whole through a temporary file and a rename,
so it is never half-written. The latest entry is the approval in force; `check` re-hashes the
files and says whether it is still valid, and `warn_if_stale` gives the build a message to
print when it has just changed an approved file.

An approval's `id` is derived from the content it approves (year and every path with its hash),
not from when or by whom: approving the same files twice gives the same id, so the distribution
(whose Message-IDs contain the id) does not start a second mailing for an unchanged report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from reportgen.errors import ReportgenError

log = logging.getLogger(__name__)

LEDGER_NAME = "approvals.json"
MANIFEST_NAME = "manifest.json"


class ApprovalError(ReportgenError):
    """Approval refused, or the approvals ledger cannot be read."""


def now_utc() -> datetime:
    """`SOURCE_DATE_EPOCH` when set (reproducible runs and tests), else the current time, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ReportgenError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ApprovedFile:
    path: str  # relative to outputs/<Y>/, as in the manifest
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Approval:
    seq: int  # 1-based position in the ledger
    id: str  # content id: same files → same id
    year: int
    by: str
    note: str | None
    at: str  # UTC ISO 8601
    files: tuple[ApprovedFile, ...]

    def file(self, path: str) -> ApprovedFile | None:
        return next((f for f in self.files if f.path == path), None)

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": self.id, "year": self.year, "by": self.by, "note": self.note,
                "at": self.at, "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Approval:
        return cls(seq=int(data["seq"]), id=str(data["id"]), year=int(data["year"]), by=str(data["by"]),
                   note=data.get("note"), at=str(data["at"]),
                   files=tuple(ApprovedFile(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"]))


@dataclass(frozen=True, slots=True)
class ApprovalState:
    """Whether the latest approval still covers the files on disk.

    `changed`: approved files now different or missing. `added`: outputs the manifest now lists
    that the approval does not cover (e.g. a language version built later): they were not
    approved, and sending English where an unapproved translation exists would surprise, so
    they make the approval stale too.
    """

    status: Literal["valid", "stale", "none"]
    approval: Approval | None = None
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    def describe(self) -> str:
        if self.approval is None:
            return "no approval recorded"
        a = self.approval
        said = f"approval {a.id} (#{a.seq}, by {a.by}, {a.at})"
        if self.status == "valid":
            return f"{said} is valid"
        reasons = []
        if self.changed:
            reasons.append("changed since: " + ", ".join(self.changed))
        if self.added:
            reasons.append("not approved: " + ", ".join(self.added))
        return f"{said} is stale ({'; '.join(reasons)})"


def content_id(year: int, files: tuple[ApprovedFile, ...]) -> str:
    canonical = json.dumps([year, sorted((f.path, f.sha256) for f in files)], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def read_ledger(out_dir: Path) -> list[Approval]:
    """Every approval recorded in `out_dir` (the year's folder), oldest first; [] if none."""
    path = out_dir / LEDGER_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ApprovalError(f"cannot read the approvals ledger {path}: {exc}; restore it from a backup "
                            "(it is append-only and never edited by hand)") from exc
    try:
        return [Approval.from_dict(entry) for entry in data]
    except (KeyError, TypeError, ValueError) as exc:
        raise ApprovalError(f"the approvals ledger {path} is malformed ({exc!r}); restore it from a backup") from exc


def _read_manifest(out_dir: Path, year: int) -> list[dict[str, Any]]:
    path = out_dir / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ApprovalError(f"no {path}: build the report first (reportgen build --year {year})") from None
    except (OSError, ValueError) as exc:
        raise ApprovalError(f"cannot read {path}: {exc}; build the report again") from exc
    if manifest.get("year") != year:
        raise ApprovalError(f"{path} is for the year {manifest.get('year')!r}, not {year}")
    outputs = manifest.get("outputs")
    if not isinstance(outputs, list):
        raise ApprovalError(f"{path} has no 'outputs' list; build the report again")
    for entry in outputs:
        name = PurePosixPath(str(entry.get("path", "")))
        # The manifest is only a file on disk: never follow it outside the year's folder.
        if not name.parts or name.is_absolute() or ".." in name.parts:
            raise ApprovalError(f"{path} lists an output outside {out_dir}: {entry.get('path')!r}")
    return outputs


def _hash_or_none(path: Path) -> str | None:
    from reportgen.pipeline.write import sha256_of

    try:
        return sha256_of(path)
    except FileNotFoundError:
        return None


def approve(outputs: Path, year: int, by: str, note: str | None = None) -> Approval:
    """Record the approval of the outputs in `outputs/<year>/` and return it.

    Refuses (ApprovalError) when there is no manifest, when a file on disk differs from the
    manifest, or when the manifest lists no English PDF (the document that is distributed).
    """
    from reportgen.pipeline.write import json_bytes, write_all

    by = " ".join(by.split())
    if not by:
        raise ApprovalError("--by must say who approved, e.g. --by \"Council 2010\"")
    out_dir = outputs / str(year)
    entries = _read_manifest(out_dir, year)
    differ: list[str] = []
    for entry in entries:
        actual = _hash_or_none(out_dir / entry["path"])
        if actual is None:
            differ.append(f"{entry['path']} (missing)")
        elif actual != entry.get("sha256"):
            differ.append(entry["path"])
    if differ:
        raise ApprovalError(f"files in {out_dir} differ from its manifest: {', '.join(differ)}; "
                            f"rebuild (reportgen build --year {year}) and have that version approved")
    pdf = f"report-{year}.pdf"
    if not any(e["path"] == pdf for e in entries):
        raise ApprovalError(f"the manifest in {out_dir} lists no {pdf}: build with the PDF "
                            "(without --no-pdf) before approving, since the PDF is what is distributed")

    files = tuple(sorted((ApprovedFile(e["path"], int(e["size"]), e["sha256"]) for e in entries),
                         key=lambda f: f.path))
    ledger = read_ledger(out_dir)
    approval = Approval(seq=len(ledger) + 1, id=content_id(year, files), year=year, by=by,
                        note=(note or "").strip() or None, at=iso(now_utc()), files=files)
    # Append-only: earlier entries are written back unchanged; write_all renames a temporary
    # file into place, so a crash leaves either the old ledger or the new one.
    records = [a.as_dict() for a in ledger] + [approval.as_dict()]
    write_all(out_dir, {LEDGER_NAME: json_bytes(records)})
    log.info("approval %s recorded in %s", approval.id, out_dir / LEDGER_NAME)
    return approval


def check(outputs: Path, year: int) -> ApprovalState:
    """State of the latest approval of `outputs/<year>/` (`outputs` is the folder holding the
    year folders, as `--outputs`): valid, stale (with the files that changed or were added)
    or none. Re-hashes every approved file."""
    return _check_dir(outputs / str(year), year)


def _check_dir(out_dir: Path, year: int) -> ApprovalState:
    ledger = read_ledger(out_dir)
    if not ledger:
        return ApprovalState("none")
    latest = ledger[-1]
    changed = tuple(f.path + ("" if (out_dir / f.path).exists() else " (missing)")
                    for f in latest.files if _hash_or_none(out_dir / f.path) != f.sha256)
    try:
        listed = [str(e["path"]) for e in _read_manifest(out_dir, year)]
    except ApprovalError:
        listed = []  # no manifest: the approved files themselves decide
    approved = {f.path for f in latest.files}
    added = tuple(p for p in sorted(listed) if p not in approved)
    return ApprovalState("stale" if changed or added else "valid", latest, changed, added)


def warn_if_stale(out_dir: Path, year: int) -> str | None:
    """For the build, after it has written `out_dir` (= outputs/<year>/): a message when an
    approval exists and the new files no longer match it, else None."""
    try:
        state = _check_dir(out_dir, year)
    except ApprovalError as exc:
        return str(exc)
    if state.status != "stale":
        return None
    return (f"the {year} outputs no longer match the approved version: {state.describe()}. "
            f"They cannot be distributed until approved again (reportgen approve --year {year} --by ...)")
