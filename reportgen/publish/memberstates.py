"""The distribution list: which Member State gets the report, in which language, at which address.

The list ships as `reportgen/data/member-states.csv` (the 191 Member States of 2006, with
placeholder addresses under the reserved `.example` domain); users give their own with
`--list FILE`. Columns `name,language,email`, UTF-8, lines starting with `#` are comments.
Every problem in the file is collected and reported together, each with its line number.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from reportgen.errors import ReportgenError
from reportgen.util.text import fold, header_key

LANGUAGES: dict[str, str] = {
    "en": "English", "fr": "French", "es": "Spanish", "ar": "Arabic", "zh": "Chinese", "ru": "Russian",
}
COLUMNS = ("name", "language", "email")
from reportgen.resources import MEMBER_STATES_FILE as DEFAULT_LIST

# Deliberately stricter than RFC 5322 (no quoted local parts, no comments, no IP literals):
# these are administrations' mailboxes, and an odd address here is far more likely a typing
# slip than a real need. Internationalised domains must be given in their xn-- form.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")


class DistributionListError(ReportgenError):
    """The distribution list cannot be used; `problems` holds (line, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]) -> None:
        self.source = source
        self.problems = problems
        listed = "; ".join(f"line {line}: {message}" if line else message for line, message in problems)
        super().__init__(f"distribution list {source}: {len(problems)} problem(s): {listed}")


@dataclass(frozen=True, slots=True)
class MemberState:
    name: str
    language: str
    email: str
    line: int  # where it stands in the list, for messages

    @property
    def stem(self) -> str:
        return stem(self.name)

    @property
    def language_name(self) -> str:
        return LANGUAGES[self.language]


# Letters that Unicode does not decompose into a Latin base letter and a mark: Cyrillic
# (ICAO Doc 9303, as on passports), Greek (ELOT 743) and a few Latin ones. Other scripts
# (Chinese, Arabic, ...) have no short mechanical Latin spelling: a hash of the name stands in.
_LATIN_OF = {
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye")),
    "ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ь": "",
    "ю": "iu", "я": "ia", "є": "ie", "і": "i", "ї": "i", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj", "њ": "nj",
    "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
    **dict(zip("αβγδεζηικλμνξοπρσςτυφω", "avgdeziiklmnxoprsstyfo")),
    "θ": "th", "χ": "ch", "ψ": "ps",
    "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t",
    "ŋ": "n",
}


def stem(name: str) -> str:
    """The Member State's name as ASCII letters, digits and hyphens, never empty, the same
    every time: for its file name (`.eml`) and its Message-ID. `Côte d'Ivoire` → `cote-d-ivoire`,
    `Российская Федерация` → `rossiiskaia-federatsiia`. A name with letters that have no Latin
    spelling here gets the first 8 hex digits of its SHA-256 (`中国` → `ms-` and those digits;
    `Chine 中国` → `chine-` and those digits), so that two such names never share a stem."""
    spelled: list[str] = []
    unspelled = False
    for char in unicodedata.normalize("NFKD", name.casefold()):
        if unicodedata.combining(char):
            continue
        latin = char if char.isascii() else _LATIN_OF.get(char)
        if latin is None:
            unspelled = unspelled or char.isalnum()
            latin = " "
        spelled.append(latin)
    base = re.sub(r"[^a-z0-9]+", "-", "".join(spelled)).strip("-")
    if base and not unspelled:
        return base
    digest = hashlib.sha256(fold(name).encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}" if base else f"ms-{digest}"


def is_email(address: str) -> bool:
    return bool(_EMAIL.fullmatch(address)) and len(address) <= 254


def _uncommented(lines: Iterable[str]) -> Iterator[str]:
    # A comment line becomes an empty line rather than disappearing, so that the csv reader's
    # line numbers stay those the user sees in an editor.
    for line in lines:
        yield "\n" if line.lstrip().startswith("#") else line


def load_list(path: Path | None = None) -> tuple[MemberState, ...]:
    """Read and check a distribution list (the shipped one when `path` is None).

    Raises DistributionListError listing every problem with its line number: missing columns,
    empty or duplicate names (case and spacing ignored), unknown languages, malformed or
    duplicate addresses, and names that would share a file name.
    """
    import csv

    source = path or DEFAULT_LIST
    label = str(source)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DistributionListError(label, [(None, "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise DistributionListError(label, [(None, f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                                   "save it as 'CSV UTF-8'")]) from None
    except OSError as exc:
        raise DistributionListError(label, [(None, f"cannot read it: {exc.strerror or exc}")]) from None

    reader = csv.reader(_uncommented(text.splitlines(keepends=True)))
    problems: list[tuple[int | None, str]] = []
    header: dict[str, int] | None = None
    width = 0
    states: list[MemberState] = []
    names: dict[str, int] = {}
    emails: dict[str, int] = {}
    stems: dict[str, tuple[str, int]] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = {header_key(cell): i for i, cell in reversed(list(enumerate(row)))}
                width = len(row)
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    problems.append((line, f"missing column(s) {', '.join(missing)}: the header must be "
                                           f"'{','.join(COLUMNS)}'"))
                    break
                continue
            if len(row) > width:
                problems.append((line, f"{len(row)} fields where the header has {width}: "
                                       "quote a name that contains a comma"))
                continue
            cells = {c: (row[header[c]].strip() if header[c] < len(row) else "") for c in COLUMNS}
            name, language, email = cells["name"], cells["language"].lower(), cells["email"]
            row_problems: list[str] = []
            if not name:
                row_problems.append("empty name")
            elif (key := fold(name)) in names:
                row_problems.append(f"duplicate name '{name}' (also on line {names[key]})")
            else:
                names[key] = line
                other = stems.setdefault(stem(name), (name, line))
                if other[1] != line:
                    row_problems.append(f"name '{name}' gives the same file name as '{other[0]}' "
                                        f"(line {other[1]}); make them differ in letters or digits")
            if language not in LANGUAGES:
                row_problems.append(f"unknown language '{cells['language']}' "
                                    f"(one of {' '.join(LANGUAGES)})")
            if not email:
                row_problems.append("empty email")
            elif not is_email(email):
                row_problems.append(f"malformed email address '{email}'")
            elif email.casefold() in emails:
                row_problems.append(f"duplicate email '{email}' (also on line {emails[email.casefold()]})")
            else:
                emails[email.casefold()] = line
            problems += [(line, message) for message in row_problems]
            if not row_problems:
                states.append(MemberState(" ".join(name.split()), language, email, line))
    except csv.Error as exc:
        problems.append((reader.line_num, f"not readable as CSV: {exc}"))
    if header is None:
        problems.append((None, f"empty: expected a header '{','.join(COLUMNS)}' and one row per Member State"))
    elif not problems and not states:
        problems.append((None, "no Member States listed under the header"))
    if problems:
        raise DistributionListError(label, problems)
    return tuple(states)


def select(states: tuple[MemberState, ...], wanted: str) -> tuple[MemberState, ...]:
    """The Member States named in a comma-separated `--only` value, in list order.

    Names are matched as in the list, ignoring case and spacing; unknown names are an error
    that suggests the closest names of the list.
    """
    import difflib

    by_key = {fold(s.name): s for s in states}
    asked = [part.strip() for part in wanted.split(",") if part.strip()]
    if not asked:
        raise ReportgenError("--only needs at least one Member State's name")
    unknown: list[str] = []
    chosen: set[str] = set()
    for name in asked:
        if fold(name) in by_key:
            chosen.add(fold(name))
            continue
        close = difflib.get_close_matches(name, [s.name for s in states], n=3, cutoff=0.6)
        if not close:  # try again ignoring case: 'cote d ivoire' should still find Côte d'Ivoire
            lowered = {s.stem: s.name for s in states}
            close = [lowered[k] for k in difflib.get_close_matches(stem(name), list(lowered), n=3, cutoff=0.6)]
        unknown.append(f"'{name}'" + (f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""))
    if unknown:
        raise ReportgenError(f"--only: not in the distribution list: {'; '.join(unknown)}. "
                             "Give names exactly as they stand in the list, separated by commas")
    return tuple(s for s in states if fold(s.name) in chosen)
