"""Writing outputs safely: each file goes to a temporary name beside its target and is renamed
into place, so a failed build never leaves a half-written report; then a manifest lists every
input and output with size and SHA-256."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from reportgen.errors import BuildError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def write_all(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file to a temporary name first, then rename them all into place."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {folder}: {exc.strerror}") from exc
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
            staged.append((Path(temp), target))
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise BuildError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    for temp, target in staged:
        os.replace(temp, target)
    return [target for _, target in staged]


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
