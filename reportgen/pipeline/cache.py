"""Skip a build when nothing it depends on has changed, and never serve stale outputs.

A build's key is a SHA-256 over everything that can change what it writes:

- every file a build of the year may read under the inputs folder (the year's folder, the
  earlier year folders, whose figures feed the history and the persistent-shortfall rule, and
  files such as `report.yaml`), by relative name and content; only later years' folders, lock
  files and hidden files are left out, as ingest leaves them;
- every file under the templates folder, and the plan file if another one is given (with
  its translations beside it);
- the build options (every field of `build.Options`, so an option added later counts without
  any change here; a file or folder named by an option, such as `--rules`, counts by its
  content);
- reportgen itself: its version and the content of every file of the package (code, the plan,
  translations, data), so editing the code during development never reuses an old report;
- the Python version, the installed distributions (name and version of each), and the font
  folders (what WeasyPrint can draw with).

After a build has written its outputs, `store_key` writes `outputs/<YEAR>/.build-key` with the
key, the SHA-256 of the manifest and a few counts for the command line's message. The next
build computes the key again (a few milliseconds: no workbook is parsed, nothing heavy is
imported) and `cached_outputs` accepts the outputs only if the key is the same *and* the
manifest is the one written with that key *and* every output the manifest lists is on disk
with the size and SHA-256 the manifest gives. A hand-edited, deleted or half-written output
therefore means a full build. `build_or_reuse` puts these together for the command line.

The outputs themselves are swapped in whole (`write.write_outputs`); the key goes in after
them, so a build stopped at any point leaves either no key or the key of the outputs in place.
A folder that cannot be written (read-only, full, no permission) is a one-line error before the
build starts; one that cannot take the key after a build is a warning (the next build runs in full).

Not covered, so `--force` exists: system libraries (Pango, HarfBuzz) upgraded in place, and
environment variables.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from reportgen import __version__
from reportgen.errors import BuildError
from reportgen.format import Severity
from reportgen.pipeline import write  # light: the standard library only
from reportgen.pipeline.write import BUILD_KEY as KEY_FILE, MANIFEST
from reportgen.resources import PACKAGE_DIR

log = logging.getLogger(__name__)

KEY_FORMAT = 1  # bump when the key's recipe changes
# Options that do not change what a build writes: where it writes is where the key is kept.
IGNORED_OPTIONS = frozenset({"outputs"})
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
             Path.home() / ".local/share/fonts")


@dataclass(frozen=True)
class CachedBuild:
    """Outputs found up to date: what the command line needs to say so."""

    out_dir: Path
    key: str
    outputs: tuple[Path, ...]
    summary: dict[str, Any] = field(default_factory=dict)  # {"kpis": n, "errors": n, "warnings": n}

    @property
    def errors(self) -> int:
        return int(self.summary.get("errors", 0))


# -- what a build reads ----------------------------------------------------------------------

def _skipped(rel: Path) -> bool:
    # As ingest.find_workbooks: Excel lock files and hidden files are never read.
    return any(part.startswith((".", "~$")) for part in rel.parts)


def input_files(inputs: Path, year: int, outputs: Path | None = None) -> list[Path]:
    """Every file under `inputs` that a build of `year` may read, sorted: the year's folder,
    the earlier year folders (they give the history), and anything outside the year folders,
    such as `report.yaml`. Only later years' folders are left out, and the outputs folder
    where it is inside the inputs (`--outputs inputs/reports`). Non-workbook files count,
    since the report lists them as warnings."""
    if not inputs.is_dir():
        return []
    found: list[Path] = []
    skip: tuple[str, ...] | None = None  # the outputs folder, relative to `inputs`, if inside
    if outputs is not None and outputs.resolve().is_relative_to(inputs.resolve()):
        skip = outputs.resolve().relative_to(inputs.resolve()).parts
    for path in inputs.rglob("*"):
        rel = path.relative_to(inputs)
        top = rel.parts[0]
        if len(top) == 4 and top.isdigit() and int(top) > year and len(rel.parts) > 1:
            continue
        if skip and rel.parts[:len(skip)] == skip:
            continue
        if path.is_file() and not _skipped(rel):
            found.append(path)
    return sorted(found)


def sha256_file(path: Path) -> str:
    return write.sha256_of(path)


def _tree_digest(root: Path, files: Iterable[Path] | None = None) -> str:
    """One digest over files' names (relative to `root`) and contents."""
    digest = hashlib.sha256()
    if files is None:
        files = sorted(p for p in root.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and p.suffix != ".pyc") if root.is_dir() else []
    for path in files:
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = str(path.resolve())
        digest.update(name.encode("utf-8") + b"\0" + sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def _canonical(value: Any, content: bool = True) -> Any:
    """A JSON-able form of an option value; a path to a file or folder also counts by its
    content (except the inputs folder, whose files `input_files` covers)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": type(value).__qualname__,
                **{f.name: _canonical(getattr(value, f.name), content=f.name != "inputs")
                   for f in dataclasses.fields(value) if f.name not in IGNORED_OPTIONS}}
    if isinstance(value, Path):
        if content and value.is_file():
            return {"path": str(value.resolve()), "sha256": sha256_file(value)}
        if content and value.is_dir():
            return {"path": str(value.resolve()), "tree": _tree_digest(value)}
        return {"path": str(value.resolve())}
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _environment() -> dict[str, Any]:
    # Installed distributions by name and version, from the folders' names (no metadata read):
    # only site-packages, so a script's own folder on sys.path does not change the key.
    distributions = sorted({name for entry in sys.path
                            if os.path.basename(entry) in ("site-packages", "dist-packages") and os.path.isdir(entry)
                            for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info"))})
    fonts = []
    for root in FONT_DIRS:
        if root.is_dir():
            for folder, _, files in os.walk(root):
                fonts.append((folder, len(files), os.stat(folder).st_mtime_ns))
    return {"python": sys.version, "distributions": distributions, "fonts": sorted(fonts)}


def key_parts(year: int, input_paths: Iterable[Path], options: Any, *, inputs_root: Path,
              templates_dir: Path, plan_file: Path | None = None) -> dict[str, str]:
    """The digests a build key is made of, by part (stored beside the key to say what changed)."""
    def digest(data: Any) -> str:
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode("utf-8")).hexdigest()

    return {
        "format": str(KEY_FORMAT),
        "year": str(year),
        "inputs": _tree_digest(inputs_root, sorted(Path(p) for p in input_paths)),
        "templates": _tree_digest(templates_dir),
        "plan": _plan_digest(plan_file),
        "options": digest(_canonical(options)),
        "reportgen": __version__ + ":" + _tree_digest(PACKAGE_DIR),
        "environment": digest(_environment()),
    }


def _plan_digest(plan_file: Path | None) -> str:
    """A plan file given with `--plan`, with its translations beside it (`<name>.<lang>.yaml`),
    which a build reads too; "default" for the plan shipped in the package (counted with it)."""
    if plan_file is None or not plan_file.is_file():
        return "default"
    import glob

    translations = sorted(plan_file.parent.glob(f"{glob.escape(plan_file.stem)}.*.yaml"))
    return _tree_digest(plan_file.parent, [plan_file, *translations])


def build_key(year: int, input_paths: Iterable[Path], options: Any, *, inputs_root: Path,
              templates_dir: Path, plan_file: Path | None = None) -> str:
    """The key of a build: the same key means the same outputs (see the module's docstring)."""
    parts = key_parts(year, input_paths, options, inputs_root=inputs_root,
                      templates_dir=templates_dir, plan_file=plan_file)
    return _join(parts)


def _join(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def parts_for(year: int, options: Any, templates_dir: Path | None = None) -> dict[str, str]:
    """`key_parts` with everything taken from a `build.Options`."""
    if templates_dir is None:
        from reportgen.render.report import TEMPLATES_DIR as templates_dir
    inputs = Path(options.inputs)
    outputs = Path(options.outputs) if getattr(options, "outputs", None) is not None else None
    return key_parts(year, input_files(inputs, year, outputs), options, inputs_root=inputs,
                     templates_dir=templates_dir, plan_file=getattr(options, "plan_file", None))


def key_for(year: int, options: Any, templates_dir: Path | None = None) -> str:
    """`build_key` with everything taken from a `build.Options`."""
    return _join(parts_for(year, options, templates_dir))


# -- the key beside the outputs --------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def cached_outputs(out_dir: Path, key: str, parts: dict[str, str] | None = None) -> CachedBuild | None:
    """The outputs in `out_dir` if they were built with `key` and are still exactly as written
    (every file the manifest lists, by size and SHA-256); None means: build. `parts`, if given,
    only serves to log which part of the key changed."""
    stored = _read_json(out_dir / KEY_FILE)
    if not isinstance(stored, dict) or stored.get("key") != key:
        if isinstance(stored, dict) and parts:
            changed = [name for name, value in parts.items() if stored.get("parts", {}).get(name) != value]
            log.debug("rebuilding: changed since the last build: %s", ", ".join(changed) or "unknown")
        else:
            log.debug("rebuilding: no build key in %s", out_dir)
        return None
    manifest_path = out_dir / MANIFEST
    try:
        manifest_bytes = manifest_path.read_bytes()
    except OSError:
        log.debug("rebuilding: %s is missing", manifest_path)
        return None
    if hashlib.sha256(manifest_bytes).hexdigest() != stored.get("manifest_sha256"):
        log.debug("rebuilding: %s is not the one written with the build key", manifest_path)
        return None
    try:
        manifest = json.loads(manifest_bytes)
        listed = [(str(o["path"]), int(o["size"]), str(o["sha256"])) for o in manifest["outputs"]]
    except (ValueError, KeyError, TypeError):
        log.debug("rebuilding: %s cannot be read", manifest_path)
        return None
    outputs = []
    for name, size, sha in listed:
        path = out_dir / name
        try:
            if path.stat().st_size != size or sha256_file(path) != sha:
                log.debug("rebuilding: %s was changed after the last build", path)
                return None
        except OSError:
            log.debug("rebuilding: %s is missing", path)
            return None
        outputs.append(path)
    return CachedBuild(out_dir, key, tuple(outputs) + (manifest_path,), dict(stored.get("summary") or {}))


def store_key(out_dir: Path, key: str, summary: dict[str, Any] | None = None,
              parts: dict[str, str] | None = None) -> Path | None:
    """Record that the outputs now in `out_dir` (as its manifest lists them) were built with
    `key`. Call it only after every output and the manifest have been written. None, with a
    warning, if the record cannot be written: the outputs stand, the next build runs in full."""
    target = out_dir / KEY_FILE
    temp: str | None = None
    try:
        manifest_sha = hashlib.sha256((out_dir / MANIFEST).read_bytes()).hexdigest()
        record = {"key": key, "manifest_sha256": manifest_sha, "summary": summary or {}, "parts": parts or {}}
        handle, temp = tempfile.mkstemp(dir=out_dir, prefix=f"{KEY_FILE}.", suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, indent=2, sort_keys=True)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        log.warning("the outputs are written, but %s could not be (%s): the next build will run in full",
                    target, exc.strerror or exc)
        return None
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
    return target


def invalidate(out_dir: Path) -> None:
    """Forget the key before outputs are rewritten, so that it never describes other outputs
    than those in place. BuildError if it cannot be removed (a read-only folder)."""
    try:
        (out_dir / KEY_FILE).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise BuildError(write.unwritable(out_dir, exc)) from exc


def summary_of(result: Any) -> dict[str, Any]:
    """The counts the command line prints, from a `build.BuildResult`."""
    problems = result.model.problems
    return {"kpis": len(result.model.kpis),
            "errors": sum(p.severity == Severity.ERROR for p in problems),
            "warnings": sum(p.severity == Severity.WARNING for p in problems)}


def build_or_reuse(year: int, options: Any, force: bool = False,
                   build: Callable[[int, Any], Any] | None = None) -> Any:
    """A `CachedBuild` if the outputs of `year` are up to date, else `build(year, options)`'s
    result (`build.build` by default), whose outputs are then recorded under a new key.

    The key is computed before the build reads anything, so an input changed during the build
    makes the next build run again rather than reuse outputs made from older inputs."""
    out_dir = Path(options.outputs) / str(year)
    write.recover(out_dir)  # what a build killed half-way left beside the outputs
    parts = parts_for(year, options)
    key = _join(parts)
    if not force:
        hit = cached_outputs(out_dir, key, parts)
        if hit is not None:
            return hit
    if build is None:
        from reportgen.pipeline.build import build
    write.check_writable(out_dir)  # a read-only or full disk: say so before the work, not after
    invalidate(out_dir)
    result = build(year, options)
    if result.written and (out_dir / MANIFEST).is_file():
        store_key(out_dir, key, summary_of(result), parts)
    return result
