"""Reading and writing gettext PO files strictly, for the translations of the Bureaux' texts.

Babel's reader forgives a great deal (an unterminated string loses its last character, an
unknown escape is kept as typed); a file coming back from a translator must instead be refused
at the line that is wrong, so that nothing garbled reaches the report. This module owns that
strict reading (`read_po`: every fault is a `PoSyntaxError` naming the file and line) and a
plain, deterministic writer (`write_po`). Plural forms are read (their first msgstr kept) so
that the caller can refuse them by name; these files never need them. The report's own
catalogues (reportgen.po) are still read and written by Babel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import ReportgenError

_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v"}
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)\Z")


class PoSyntaxError(ReportgenError):
    """A PO file that cannot be read; the message names the file and the line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.reason = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class PoEntry:
    """One unit of a PO file: msgctxt, msgid, msgstr and the comments above them."""

    context: str | None
    source: str
    target: str = ""
    notes: tuple[str, ...] = ()  # "#." comments: written by the tool for the translator
    references: tuple[str, ...] = ()  # "#:" where the text stands
    flags: frozenset[str] = frozenset()  # "#," e.g. fuzzy
    translator_notes: tuple[str, ...] = ()  # "# " comments: the translator's own
    line: int = 0  # 1-based line of its msgid in the file read (0 for entries made in code)
    plural: str | None = None  # msgid_plural, where a file has one (target: its msgstr[0])

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


@dataclass(frozen=True, slots=True)
class PoFile:
    header: dict[str, str]
    entries: tuple[PoEntry, ...]
    header_notes: tuple[str, ...] = field(default=())


# -- reading ---------------------------------------------------------------------------------

def read_po(path: Path) -> PoFile:
    """The PO file at `path`, or a PoSyntaxError at the first line that is not PO."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PoSyntaxError(str(path), None, f"cannot be read ({exc.strerror or exc})") from exc
    return parse_po(data, str(path))


def parse_po(data: bytes, name: str = "<po>") -> PoFile:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\0" in data:
        raise PoSyntaxError(name, data[:data.index(b"\0")].count(b"\n") + 1,
                            "holds binary data: this is not a PO file (save it as UTF-8 text)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PoSyntaxError(name, line, "is not UTF-8 text: save the file as UTF-8") from exc
    return _Parser(name).parse(text.splitlines())


class _Parser:
    """A small state machine over the lines of a PO file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[PoEntry] = []
        self.header: dict[str, str] | None = None
        self.header_notes: tuple[str, ...] = ()
        self._reset()

    def _reset(self) -> None:
        self.notes: list[str] = []
        self.references: list[str] = []
        self.flags: set[str] = set()
        self.translator_notes: list[str] = []
        self.fields: dict[str, list[str]] = {}
        self.field_lines: dict[str, int] = {}
        self.last: str | None = None  # the keyword that continuation strings extend
        self.first_line = 0

    def error(self, line: int, message: str) -> PoSyntaxError:
        return PoSyntaxError(self.name, line, message)

    def parse(self, lines: list[str]) -> PoFile:
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                self._finish(number)
                continue
            if line.startswith("#~") or line.startswith("#|"):
                continue  # obsolete entries and previous msgids: of no use here
            if line.startswith("#"):
                if "msgstr" in self.fields:
                    self._finish(number)  # a comment after a msgstr starts the next entry
                self._comment(line, number)
                continue
            if line.startswith('"'):
                if self.last is None:
                    raise self.error(number, "a string that continues nothing: it must follow "
                                             "msgctxt, msgid or msgstr")
                self.fields[self.last].append(self._string(line, number))
                continue
            match = _KEYWORD.match(line)
            if match is None:
                word = line.split()[0][:30]
                raise self.error(number, f"'{word}' is not a PO keyword (msgctxt, msgid, msgstr): "
                                         "a line was broken or a quote is missing")
            keyword, index, rest = match.groups()
            if index is not None:  # msgstr[n]: the first form stands for the unit, the others are kept apart
                keyword = "msgstr" if index == "0" else f"msgstr[{index}]"
            if keyword in ("msgctxt", "msgid") and "msgstr" in self.fields:
                self._finish(number)
            self._keyword(keyword, rest, number)
        self._finish(len(lines) + 1)
        return PoFile(self.header or {}, tuple(self.entries), self.header_notes)

    def _comment(self, line: str, number: int) -> None:
        if not self.first_line:
            self.first_line = number
        kind, text = line[:2], line[2:].strip()
        if kind == "#.":
            self.notes.append(text)
        elif kind == "#:":
            self.references.extend(text.split())
        elif kind == "#,":
            self.flags.update(flag.strip() for flag in text.split(",") if flag.strip())
        else:
            self.translator_notes.append(line[1:].strip())

    def _keyword(self, keyword: str, rest: str, number: int) -> None:
        if keyword == "msgid_plural" or keyword.startswith("msgstr["):
            if "msgid" not in self.fields or keyword in self.fields:
                raise self.error(number, f"{keyword} out of place: it follows a msgid (msgid_plural) or "
                                         "a msgstr[0] (msgstr[n]), once")
            self.fields[keyword] = [self._string(rest, number)]
            self.field_lines[keyword] = number
            self.last = keyword
            return
        if keyword in self.fields:
            raise self.error(number, f"a second {keyword} in one unit (the first is on line "
                                     f"{self.field_lines[keyword]}): a blank line or a msgstr is missing")
        order = ("msgctxt", "msgid", "msgstr")
        later = [k for k in order[order.index(keyword) + 1:] if k in self.fields]
        if later:
            raise self.error(number, f"{keyword} after {later[0]}: a unit is msgctxt, msgid, msgstr in that order")
        if keyword == "msgstr" and "msgid" not in self.fields:
            raise self.error(number, "msgstr without a msgid above it")
        if not self.first_line:
            self.first_line = number
        self.fields[keyword] = [self._string(rest, number)]
        self.field_lines[keyword] = number
        self.last = keyword

    def _string(self, text: str, number: int) -> str:
        """The value of one quoted PO string, its escapes resolved."""
        text = text.strip()
        if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
            raise self.error(number, "a string must be one line between double quotes: "
                                     "the closing quote is missing")
        body, out, index = text[1:-1], [], 0
        while index < len(body):
            char = body[index]
            if char == "\\":
                if index + 1 >= len(body):
                    raise self.error(number, "the string ends with a lone backslash: write \\\\ for a backslash")
                escape = body[index + 1]
                if escape not in _ESCAPES:
                    raise self.error(number, f"unknown escape \\{escape}: write \\\\ for a backslash, "
                                             "\\\" for a quote, \\n for a new line")
                out.append(_ESCAPES[escape])
                index += 2
                continue
            if char == '"':
                raise self.error(number, 'a double quote inside a string must be written \\"')
            out.append(char)
            index += 1
        return "".join(out)

    def _finish(self, number: int) -> None:
        if not self.fields:
            if self.notes or self.translator_notes or self.references or self.flags:
                # comments with no unit below them (e.g. at the top of a file): kept for the header
                if self.header is None and not self.entries:
                    self.header_notes = tuple(self.translator_notes)
            self._reset()
            return
        if "msgid" not in self.fields:
            raise self.error(self.field_lines.get("msgctxt", number), "msgctxt without a msgid")
        if "msgstr" not in self.fields:
            raise self.error(self.field_lines["msgid"], "msgid without a msgstr: every unit needs a "
                                                       'msgstr line, even an empty one (msgstr "")')
        context = "".join(self.fields["msgctxt"]) if "msgctxt" in self.fields else None
        source, target = "".join(self.fields["msgid"]), "".join(self.fields["msgstr"])
        if source == "" and context is None:
            if self.header is not None or self.entries:
                raise self.error(self.field_lines["msgid"], "a second header (empty msgid)")
            self.header = _header(target)
            self.header_notes = tuple(self.translator_notes)
        else:
            plural = "".join(self.fields["msgid_plural"]) if "msgid_plural" in self.fields else None
            self.entries.append(PoEntry(context, source, target, tuple(self.notes), tuple(self.references),
                                        frozenset(self.flags), tuple(self.translator_notes),
                                        self.field_lines["msgid"], plural))
        self._reset()


def _header(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


# -- writing ---------------------------------------------------------------------------------

def _quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
               .replace("\r", "\\r").replace("\n", "\\n"))
    return f'"{escaped}"'


def _field(keyword: str, text: str) -> list[str]:
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {_quote(text)}"]
    # Several lines: one PO string per line, as gettext's tools write them.
    parts = text.splitlines(keepends=True)
    return [f'{keyword} ""'] + [_quote(part) for part in parts]


def format_po(po: PoFile) -> bytes:
    """The PO file's text (UTF-8), entries in the order given."""
    lines = [f"# {note}".rstrip() for note in po.header_notes]
    lines += ['msgid ""', 'msgstr ""'] + [_quote(f"{key}: {value}\n") for key, value in po.header.items()]
    for entry in po.entries:
        lines.append("")
        lines += [f"# {note}".rstrip() for note in entry.translator_notes]
        lines += [f"#. {note}".rstrip() for note in entry.notes]
        if entry.references:
            lines.append("#: " + " ".join(entry.references))
        if entry.flags:
            lines.append("#, " + ", ".join(sorted(entry.flags)))
        if entry.context is not None:
            lines += _field("msgctxt", entry.context)
        lines += _field("msgid", entry.source)
        lines += _field("msgstr", entry.target)
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_po(path: Path, po: PoFile) -> None:
    """Write `po` to `path` whole or not at all (a temporary file renamed into place)."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(format_po(po))
        os.chmod(temp, 0o644)  # as any file the user writes, not mkstemp's private 0600
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
