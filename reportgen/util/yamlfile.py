"""Reading the small YAML files users and translators write (rules, report settings, plan
translations): one place that turns a missing, broken or non-mapping file into a clear error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError


def read_mapping(path: Path, error: type[ReportgenError], what: str) -> dict[str, Any]:
    """The keys and values of the YAML file at `path` ({} for an empty file); `error` with a
    message naming `what` the file is when it cannot be read or is not a mapping."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {what} {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{what} {path} must hold keys and values, not {type(data).__name__}")
    return data
