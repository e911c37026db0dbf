"""Thresholds for statuses and recommendation rules (contract sections 3 and 5).

The defaults are the contract's; a rules file (YAML, `--rules FILE`) may change any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError


@dataclass(frozen=True, slots=True)
class Thresholds:
    achieved: float = 1.0  # achievement at or above: achieved
    partially_achieved: float = 0.5  # at or above: partially achieved
    overspend: float = 1.10  # execution above: overspend
    underspend: float = 0.70  # execution below: underspend
    review_min_reported: int = 2  # objective-review: reported KPIs needed
    review_share_not_achieved: float = 0.5  # objective-review: share not achieved


def load_thresholds(path: Path | None) -> Thresholds:
    """The defaults, overridden by the keys of a YAML rules file; unknown keys are an error."""
    if path is None:
        return Thresholds()
    from reportgen.util.yamlfile import read_mapping

    data = read_mapping(path, ReportgenError, "rules file")
    known = {f.name: f.type for f in fields(Thresholds)}
    changes = {}
    for key, value in dict(data).items():
        name = str(key).replace("-", "_")
        if name not in known:
            raise ReportgenError(f"rules file {path}: unknown setting '{key}' (known: {', '.join(known)})")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ReportgenError(f"rules file {path}: '{key}' must be a number, not {value!r}")
        changes[name] = int(value) if known[name] == "int" else float(value)
    return replace(Thresholds(), **changes)


# The letter ITU document numbers end with in each language (C10/35-E, C10/35-F, ...).
LANGUAGE_LETTERS = {"en": "E", "fr": "F", "es": "S", "ar": "A", "zh": "C", "ru": "R"}


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """What the cover says beyond the data: set in `inputs/report.yaml` or on the command line.

    `document_number` may hold `{L}` for the language letter (C10/35-{L} → C10/35-F in French);
    `council` may be one text or one per language ({en: Council 2010, fr: Conseil 2010})."""

    document_number: str = "DRAFT"
    council: str | dict | None = None  # the session the report goes to, e.g. "Council 2010"
    date: str | None = None  # the document's date; default: SOURCE_DATE_EPOCH or the returns' dates
    agenda_item: str | dict | None = None  # the Council's agenda item, e.g. "PL 2.3"

    def for_language(self, lang: str) -> "DocumentSettings":
        council, agenda_item = self.council, self.agenda_item
        if isinstance(council, dict):
            council = council.get(lang) or council.get("en")
        if isinstance(agenda_item, dict):
            agenda_item = agenda_item.get(lang) or agenda_item.get("en")
        number = self.document_number.replace("{L}", LANGUAGE_LETTERS.get(lang, lang.upper()))
        return DocumentSettings(number, council, self.date, agenda_item)


def load_document_settings(path: Path, **overrides: str | None) -> DocumentSettings:
    """`inputs/report.yaml` if it exists (keys: document_number, council, date), then overrides."""
    values: dict[str, Any] = {}
    if path.is_file():
        from reportgen.util.yamlfile import read_mapping

        data = read_mapping(path, ReportgenError, "report settings")
        known = {f.name for f in fields(DocumentSettings)}
        for key, value in data.items():
            if key not in known:
                raise ReportgenError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(known))})")
            values[key] = {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else str(value)
    values.update({k: v for k, v in overrides.items() if v})
    return DocumentSettings(**values)
