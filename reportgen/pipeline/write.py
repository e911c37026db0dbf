"""Writing outputs so that they appear together or not at all, and the manifest that lists them.

A build's outputs (`write_outputs`) are written whole into a new folder beside `outputs/<YEAR>/`
(`outputs/.<YEAR>.new-<pid>-<random>/`), which also receives hard links to everything in
`outputs/<YEAR>/` that no build makes: `approvals.json`, `distribution/` and its ledger,
`templates/`, a user's own files. That folder and `outputs/<YEAR>/` then trade places in one
rename (Linux's renameat2 RENAME_EXCHANGE; elsewhere two renames, the first undone on the next
start if the second never happened), and the earlier folder is removed. Whatever stops a build,
the year's folder holds the earlier outputs or the new ones, never a mix; files of the earlier
build that this one does not make (a PDF after `--no-pdf`, a language no longer asked for) go
with the earlier folder. A folder left by a build that was killed is removed by the next build
(`recover`). Which files are a build's: those the earlier manifest lists, `manifest.json`,
the rebuild cache's `.build-key`, and the names a build gives (`report-<YEAR>[-<lang>].html,
.pdf, .json`, `data-<YEAR>.xlsx`), so that a lost manifest still leaves no stale report behind.

Smaller sets (`write_all`: an approval, feedback workbooks, dry-run messages) are written file by
file, each to a temporary name beside its target and then renamed; a failure removes every
temporary file. `write_file` writes one file and, unless told to replace, never overwrites one.

Only the standard library is imported: the rebuild cache uses this module without the pipeline.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from reportgen.errors import BuildError
from reportgen.util.lock import is_running

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
BUILD_KEY = ".build-key"  # the rebuild cache's record (reportgen.pipeline.cache)
# In a folder being filled, never in one that has been swapped in: tells the two apart after a kill.
STAGING_MARK = ".reportgen-staging"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def manifest(year: int, input_dir: Path, inputs: list[Path], output_dir: Path,
             outputs: dict[str, bytes]) -> dict[str, Any]:
    return {
        "year": year,
        "inputs": [
            {"path": p.relative_to(input_dir).as_posix(), "size": p.stat().st_size, "sha256": sha256_of(p)}
            for p in sorted(inputs)
        ],
        "outputs": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(outputs.items())
        ],
    }


# -- messages ------------------------------------------------------------------------------------

def unwritable(folder: Path, exc: OSError, what: str = "the outputs") -> str:
    """One line for an OSError met while writing `what` to `folder`, with what to do."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        hint = "free some space there, or choose another folder with --outputs"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        hint = "make it writable, or choose another folder with --outputs"
    else:
        hint = "check the folder, or choose another one with --outputs"
    return f"cannot write {what} to {folder}: {reason}; nothing there was changed ({hint})"


# -- a build's outputs, swapped in whole ------------------------------------------------------------

def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Make `files` (name relative to `out_dir` → content) the build outputs in `out_dir`, all at
    once, keeping every file of `out_dir` that no build makes (see the module's docstring).
    Raises BuildError, with `out_dir` as it was, when they cannot be written."""
    live = _real(out_dir)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(unwritable(live.parent, exc)) from exc
    if os.path.lexists(live) and not live.is_dir():
        raise BuildError(f"{out_dir} is a file, not a folder: move it away and build again")
    recover(live)
    try:
        staging = _new_folder(live, "new")
    except OSError as exc:
        raise BuildError(unwritable(live.parent, exc)) from exc
    old: Path | None = None
    try:
        (staging / STAGING_MARK).touch()
        _fill(staging, files)
        if live.is_dir():
            _carry_over(live, staging, _build_files(live, files))
        _fsync_folder(staging)
        old = _swap_in(staging, live)
    except BaseException as exc:
        if (staging / STAGING_MARK).exists():  # not swapped in: the year's folder is untouched
            shutil.rmtree(staging, ignore_errors=True)
        else:  # swapped in, and then interrupted (Ctrl-C): finish the job
            _finish(live, staging)
        if isinstance(exc, OSError):
            raise BuildError(unwritable(out_dir, exc)) from exc
        raise
    _finish(live, old)
    return [out_dir / name for name in files]


def check_writable(out_dir: Path) -> None:
    """Raise BuildError now if `write_outputs` could not write beside `out_dir` (a read-only
    disk, no permission), before a build spends its time. Creates nothing."""
    live = _real(out_dir)
    for folder in (live, live.parent):
        while not os.path.isdir(folder) and folder != folder.parent:
            folder = folder.parent  # the nearest folder that exists: the others would be made in it
        if os.access(folder, os.W_OK | os.X_OK):
            continue
        try:
            read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            read_only = False
        code = errno.EROFS if read_only else errno.EACCES
        raise BuildError(unwritable(out_dir, OSError(code, os.strerror(code), str(folder))))


def recover(out_dir: Path) -> None:
    """Finish or undo what builds killed half-way left beside `out_dir`: a folder being filled is
    removed; an earlier folder swapped out is removed after anything of it that no build makes
    and that is missing from `out_dir` has been moved back; if `out_dir` itself is missing (killed
    between the two renames where the system cannot swap in one), the earlier folder returns.
    Folders of a build still running are left alone. Never raises: it logs what it cannot do."""
    live = _real(out_dir)
    try:
        (live / STAGING_MARK).unlink(missing_ok=True)  # swapped in, then killed before its removal
    except OSError:
        pass
    try:
        names = sorted(os.listdir(live.parent))
    except OSError:
        return
    pattern = re.compile(rf"\.{re.escape(live.name)}\.(new|old)-(\d+)-[0-9a-f]+")
    left: list[Path] = []
    for name in names:
        found = pattern.fullmatch(name)
        if found and (int(found[2]) == os.getpid() or not is_running(int(found[2]))):
            left.append(live.parent / name)
    for path in left:
        try:
            if (path / STAGING_MARK).exists():  # never swapped in
                shutil.rmtree(path)
            elif not os.path.lexists(live):
                os.rename(path, live)
                log.warning("%s was missing after an interrupted build: its earlier outputs are back", live)
            else:
                _move_back(path, live)
                shutil.rmtree(path)
        except OSError as exc:
            log.warning("cannot remove %s, left by an interrupted build: %s", path, exc.strerror or exc)


def _real(out_dir: Path) -> Path:
    # A year folder that is a link: swap the folder it points to, the link stays.
    return out_dir.resolve() if out_dir.is_symlink() else out_dir


def _beside(live: Path, kind: str) -> Path:
    """A name beside `live` that `recover` knows: `.<name>.<kind>-<pid>-<random>`."""
    return live.parent / f".{live.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _new_folder(live: Path, kind: str) -> Path:
    folder = _beside(live, kind)
    os.mkdir(folder)
    if kind == "new" and live.is_dir():
        os.chmod(folder, stat.S_IMODE(live.stat().st_mode))
    return folder


def _fill(staging: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before the folder is swapped in


def _listed_outputs(folder: Path) -> set[str]:
    """The top-level names of the outputs `folder`'s manifest lists (none if it cannot be read)."""
    try:
        entries = json.loads((folder / MANIFEST).read_bytes())["outputs"]
        return {str(entry["path"]).split("/")[0] for entry in entries}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _build_files(folder: Path, files: dict[str, bytes] | None = None) -> Callable[[str], bool]:
    """Whether a top-level name in `folder` (outputs/<YEAR>) is a build's, not to be kept."""
    year = re.escape(folder.name)
    named = re.compile(rf"report-{year}(-[a-z]{{2}})?\.(html|pdf|json)|data-{year}\.xlsx")
    listed = _listed_outputs(folder) | {name.split("/")[0] for name in files or ()}
    return lambda name: (name in (MANIFEST, BUILD_KEY, STAGING_MARK) or name in listed
                         or named.fullmatch(name) is not None
                         or (name.startswith(".") and name.endswith(".part")))  # a killed write_all's


def _carry_over(live: Path, staging: Path, built: Callable[[str], bool]) -> None:
    """Hard links (copies where the disk has none) in `staging` to what no build makes in `live`."""
    for entry in os.scandir(live):
        if built(entry.name):
            continue
        source, target = Path(entry.path), staging / entry.name
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
        elif entry.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(source, target, follow_symlinks=False)


def _swap_in(staging: Path, live: Path) -> Path | None:
    """Put `staging` where `live` is, in one step where the system allows. Returns where the
    earlier folder now is (None if there was none)."""
    if not os.path.lexists(live):
        os.rename(staging, live)
        return None
    if _exchange(staging, live):
        return staging
    old = _beside(live, "old")
    os.rename(live, old)
    try:
        os.rename(staging, live)
    except BaseException:
        os.rename(old, live)
        raise
    return old


def _finish(live: Path, old: Path | None) -> None:
    """After the swap: the mark out of the new folder, the earlier folder away. A failure here
    leaves the new outputs in place and something for the next build's `recover`."""
    try:
        (live / STAGING_MARK).unlink(missing_ok=True)
        _fsync_folder(live.parent)
        if old is not None:
            _move_back(old, live)
            shutil.rmtree(old)
    except OSError as exc:
        log.warning("the outputs are in %s, but %s could not be removed (%s); the next build will remove it",
                    live, old, exc.strerror or exc)


def _move_back(old: Path, live: Path) -> None:
    """Move into `live` what no build makes and is in `old` only: written there while a build
    ran, after its hard links were made. What `live` has is never overwritten."""
    built = _build_files(old)
    for entry in os.scandir(old):
        if not built(entry.name):
            _move_missing(Path(entry.path), live / entry.name)


def _move_missing(source: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(source, target)
    elif source.is_dir() and not source.is_symlink() and target.is_dir() and not target.is_symlink():
        for entry in os.scandir(source):
            _move_missing(Path(entry.path), target / entry.name)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE). False where the system
    or the file system cannot; an OSError for any other failure."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # glibc 2.28 and later, musl
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames are still atomic
    finally:
        os.close(handle)


# -- smaller sets, file by file ---------------------------------------------------------------------

def write_all(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file to a temporary name beside its target, then rename them all into place.
    Raises BuildError on failure; no temporary file is left either way."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    staged: list[tuple[Path, Path]] = []
    done: list[Path] = []
    try:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            staged.append((Path(temp), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
        while staged:
            temp, target = staged[0]
            os.replace(temp, target)
            done.append(staged.pop(0)[1])
    except OSError as exc:
        replaced = f" ({len(done)} of {len(files)} file(s) were replaced)" if done else ""
        raise BuildError(f"cannot write to {folder}: {exc.strerror or exc}{replaced}") from exc
    finally:
        for temp, _ in staged:
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass
    return done


def write_file(path: Path, data: bytes, replace: bool = False) -> Path:
    """Write one file through a temporary name beside it. Unless `replace`, an existing file is
    never overwritten, not even one made a moment ago: FileExistsError. Other failures: OSError.
    No temporary file is left either way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # fails if `path` exists: no window between a check and the write
            except FileExistsError:
                raise
            except OSError:  # a disk without hard links
                if os.path.lexists(path):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
                os.replace(temp, path)
    finally:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
    return path
