"""Look inside an untrusted .xlsx before any reader does: the container first, then its XML.

`scan_workbook` refuses (raises `Refused`, whose message says what to do) a file that is too
big, encrypted, an old .xls, not a zip, not a workbook, a zip bomb (judged from the declared
sizes, before anything is unpacked), a member that inflates beyond its declared size or fails
its checksum, XML with a DOCTYPE or ENTITY declaration, XML that is not UTF-8, or a sheet whose
cells span an area calamine would have to allocate in full (a single value in XFD1048576 makes
calamine abort the whole process: measured, see bench/ingest_hostile.py).

For a file it accepts it returns, per sheet, what only the XML shows: formula cells without a
computed value (calamine reads them as empty), cells holding an Excel error such as #DIV/0!
(read as empty too) and merged ranges. The workbook's members are inflated once, in 1 MB
pieces, with a byte cap; nothing here builds a tree of a sheet, and the standard library's XML
parser is reached only through defusedxml, for the two small index files.

Speed: sheet XML is searched with `bytes.find` and regular expressions anchored on a literal
(` r="`, `<f`, `t="e"`), which run at several hundred MB/s; an exact cell-by-cell pass is used
only for XML written in an unusual way (cells without `r`, attributes quoted or spaced oddly,
namespace prefixes) or for a sheet whose quick bound on its area is above the limit.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_READ_PIECE = 64 * 1024  # compressed bytes read at a time
_INFLATE_PIECE = 1 << 20  # most bytes inflated at a time: memory stays flat
_SEGMENT_MAX = 8 << 20  # a segment is normally cut after `</row>`; a longer row is cut sooner
_INDEX_MAX_BYTES = 16 * 1024 * 1024  # workbook.xml and its rels are a few KB in real files
_SAVE_AGAIN = "open it in Excel and save it again as .xlsx"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds for untrusted files. The first two are set from the command line
    (--max-file-mb, --max-unpacked-mb); the others are generous defaults."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_unpacked_bytes: int = 250 * 1024 * 1024
    # rows x columns from A1 to a sheet's last cell: calamine allocates the whole area
    max_sheet_cells: int = 5_000_000
    max_members: int = 10_000  # entries in the zip; an Excel workbook has tens


class Refused(Exception):
    """The file must not be read. The message says why, and what the sender should do."""


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A cell whose value calamine cannot give: an uncomputed formula or an Excel error."""

    kind: str  # "uncached-formula" or "error-value"
    row: int | None  # Excel's 1-based row; None where the XML does not say
    column: int | None  # 0-based column
    detail: str  # the formula text (may be empty) or the error code such as "#DIV/0!"

    @property
    def ref(self) -> str | None:
        return None if self.row is None or self.column is None else column_letter(self.column) + str(self.row)


@dataclass(frozen=True, slots=True)
class Merge:
    ref: str  # as written, e.g. "B5:C7"
    first_row: int
    first_column: int  # 0-based
    last_row: int
    last_column: int


@dataclass(frozen=True)
class SheetScan:
    name: str
    member: str
    cells: tuple[CellIssue, ...] = ()
    merges: tuple[Merge, ...] = ()
    rows: int = 0  # upper bound of the last row (1-based)
    columns: int = 0  # upper bound of the last column (1-based)


@dataclass(frozen=True)
class Scan:
    sheets: dict[str, SheetScan]  # by sheet name, as the workbook names it
    macros: bool  # a VBA project is inside (never run: calamine reads values only)
    members: int
    unpacked_bytes: int  # as declared by the zip
    scanned_bytes: int = 0  # XML actually inflated and searched
    exact_sheets: tuple[str, ...] = field(default=())  # sheets that needed the cell-by-cell pass


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    """1-based column of letters in either case, as calamine reads them (A -> 1, ab -> 28)."""
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        number = number * 26 + ord(char) - 64
    return number


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'E7' -> (7, 4): Excel row, 0-based column; None if it is not a cell reference."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,12})", ref.strip())
    if not match:
        return None
    return int(match.group(2)), column_number(match.group(1)) - 1


# -- the container -----------------------------------------------------------------------------

def size_refusal(size: int, limits: Limits) -> str | None:
    """Why a file of `size` bytes is refused unread, or None if its size is within the limit."""
    if size > limits.max_file_bytes:
        return (f"the file is {size / 1e6:.1f} MB, above the limit of {limits.max_file_bytes / 1e6:.1f} MB: "
                "remove unused sheets or images, or raise the limit with --max-file-mb")
    return None


def check_container(path: Path, limits: Limits) -> list[zipfile.ZipInfo]:
    """The zip's members, after every check that needs no unpacking; raises Refused."""
    size = path.stat().st_size
    refusal = size_refusal(size, limits)
    if refusal:
        raise Refused(refusal)
    if size == 0:
        raise Refused(f"the file is empty (0 bytes): {_SAVE_AGAIN} and send it again")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE_MAGIC:
        raise Refused(_ole_message(path))
    if not zipfile.is_zipfile(path):
        raise Refused("not a readable Excel workbook (it is not an .xlsx file, or it is truncated or "
                      f"corrupt): {_SAVE_AGAIN}")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, OSError, ValueError, NotImplementedError, EOFError ...
        raise Refused(f"the workbook is corrupt ({_reason(exc)}): {_SAVE_AGAIN}") from None
    if len(members) > limits.max_members:
        raise Refused(f"the zip holds {len(members)} parts, far more than a workbook has (a damaged or hostile "
                      f"file): refused unread; {_SAVE_AGAIN}")
    names = {m.filename for m in members}
    if "xl/workbook.bin" in names:
        raise Refused("a binary workbook (.xlsb) cannot be read: save it as .xlsx")
    if "xl/workbook.xml" not in names:
        raise Refused("a zip archive but not an Excel workbook: save it from Excel as .xlsx")
    if any(m.flag_bits & 0x1 for m in members):
        raise Refused("parts of the zip are password-protected: remove the password and save it as .xlsx")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise Refused(f"the workbook would unpack to {unpacked / 1e6:.0f} MB, above the limit of "
                      f"{limits.max_unpacked_bytes / 1e6:.0f} MB (a damaged or hostile file): refused unread; "
                      "raise --max-unpacked-mb if it is genuine")
    return members


def _ole_message(path: Path) -> str:
    # An OLE (compound) file is either an encrypted OOXML package or a BIFF .xls; the names of
    # its streams are stored in UTF-16 in its directory.
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return ("the workbook is password-protected (encrypted): remove the password to open "
                "(File > Info > Protect Workbook > Encrypt with Password, clear it) and send it again")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "an old-format Excel file (.xls) named .xlsx: open it in Excel and save it as .xlsx"
    return ("the workbook is password-protected (encrypted) or in the old .xls format: remove the "
            "password to open and save it as .xlsx")


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return text or type(exc).__name__


def _inflate(handle: BinaryIO, info: zipfile.ZipInfo, file_size: int) -> Iterator[bytes]:
    """The member's bytes, in pieces of at most 1 MB. Refuses a member that inflates beyond its
    declared size (a lying header), is truncated, or fails its CRC."""
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise Refused(f"the workbook is corrupt (part {info.filename} is missing): {_SAVE_AGAIN}")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    if start + info.compress_size > file_size:
        raise Refused(f"the workbook is truncated (part {info.filename} is cut short): {_SAVE_AGAIN}")
    handle.seek(start)
    left = info.compress_size
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    else:
        raise Refused(f"part {info.filename} is compressed in a way Excel never uses "
                      f"(method {info.compress_type}): {_SAVE_AGAIN}")
    while True:
        if inflater is None:
            piece = handle.read(min(_INFLATE_PIECE, left, info.file_size - produced + 1)) if left else b""
            left -= len(piece)
            out = piece
            done = left == 0
        else:
            data = inflater.unconsumed_tail
            if not data and left:
                data = handle.read(min(_READ_PIECE, left))
                left -= len(data)
            try:  # never more than one byte past the declared size
                out = inflater.decompress(data, min(_INFLATE_PIECE, info.file_size - produced + 1))
            except zlib.error as exc:
                raise Refused(f"the workbook is corrupt (part {info.filename}: {exc}): {_SAVE_AGAIN}") from None
            done = inflater.eof
            if not out and not data and not done:
                raise Refused(f"the workbook is truncated (part {info.filename} ends early): {_SAVE_AGAIN}")
        if out:
            produced += len(out)
            if produced > info.file_size:
                raise Refused(f"part {info.filename} unpacks to more than the {info.file_size} bytes its "
                              "header declares (a damaged or hostile file): refused; "
                              f"{_SAVE_AGAIN}")
            crc = zlib.crc32(out, crc)
            yield out
        if done:
            break
    if produced != info.file_size or crc != info.CRC:
        raise Refused(f"the workbook is corrupt (part {info.filename} fails its checksum): {_SAVE_AGAIN}")


# -- markup checks shared by every XML part ---------------------------------------------------

def _check_encoding(first: bytes, member: str) -> None:
    head = first[:4]
    if head.startswith((b"\xfe\xff", b"\xff\xfe")) or b"\x00" in head:
        raise Refused(f"part {member} is XML in UTF-16 or UTF-32, which Excel never writes "
                      f"(a damaged or hostile file): refused; {_SAVE_AGAIN}")


def _check_declarations(data: bytes, member: str) -> None:
    """Refuse DOCTYPE and ENTITY declarations: Excel never writes them, and an entity is how XML
    is made to read a local file or grow a billion-fold."""
    at = data.find(b"<!")
    while at != -1:
        word = data[at + 2:at + 9].upper()
        if word.startswith((b"DOCTYPE", b"ENTITY")):
            raise Refused(f"part {member} declares a DOCTYPE or XML entities, which Excel never writes "
                          "(a hostile or damaged file): refused unread; "
                          f"{_SAVE_AGAIN} from the original")
        at = data.find(b"<!", at + 2)


def _read_member(handle: BinaryIO, info: zipfile.ZipInfo, file_size: int, cap: int) -> bytes:
    if info.file_size > cap:
        raise Refused(f"part {info.filename} is {info.file_size / 1e6:.0f} MB, far more than a workbook's "
                      f"index needs (a damaged or hostile file): refused; {_SAVE_AGAIN}")
    data = b"".join(_inflate(handle, info, file_size))
    _check_encoding(data, info.filename)
    _check_declarations(data, info.filename)
    return data


def _check_member(handle: BinaryIO, info: zipfile.ZipInfo, file_size: int) -> int:
    tail = b""
    first = True
    size = 0
    for piece in _inflate(handle, info, file_size):
        if first:
            _check_encoding(piece, info.filename)
            first = False
        _check_declarations(tail + piece, info.filename)
        tail = piece[-8:]
        size += len(piece)
    return size


# -- the workbook's index: which part is which sheet -------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> list[tuple[str, str]]:
    """(sheet name, zip member) for every sheet, in workbook order, from xl/workbook.xml and
    xl/_rels/workbook.xml.rels (parsed with defusedxml: no DTD, no entity)."""
    from defusedxml import ElementTree as SafeET

    targets: dict[str, str] = {}
    for rel in SafeET.fromstring(rels_xml, forbid_dtd=True):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode", "").lower() == "external":
            continue
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id", "")] = member
    parts = []
    for element in SafeET.fromstring(workbook_xml, forbid_dtd=True).iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id" and k.startswith("{")), None)
        if rid in targets:
            parts.append((element.get("name", ""), targets[rid]))
    return parts


# -- sheets ------------------------------------------------------------------------------------

_ATTR = re.compile(rb'([\w.:-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CHAR_REF = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ROOT = re.compile(rb"<([\w.-]+:)?([\w.-]+)[\s/>]")
# Anything else than `<c r="` / `<row r="` with the reference as first attribute sends a segment
# down the exact path, as do cells or rows of another namespace prefix.
_CELL_UNUSUAL = re.compile(rb'<c(?! r=")[\s>/]')
_ROW_UNUSUAL = re.compile(rb'<row(?! r=")[\s>/]')
_OTHER_PREFIX = re.compile(rb':(?:c|row)[\s>/]')
_WIDE_COLUMNS = re.compile(rb' r="([A-Za-z]{2,})\d')
_ROW_DIGITS = {n: re.compile(rb' r="[A-Za-z]*\d{%d}' % n) for n in range(1, 8)}
_F_START = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_V_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?(?:/>|>(.*?)</(?:[\w.-]+:)?v>)", re.S)
_F_TEXT = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?f>", re.S)
_ANY_CELL_OR_ROW = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s>/])([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s([^>]*)>")


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name:
            return _NAMED[name]
        code = int(decimal) if decimal else int(hexadecimal, 16)
        return chr(code) if 0 < code < 0x110000 else ""

    return _CHAR_REF.sub(replace, text) if "&" in text else text


def _attributes(tag: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, double, single in _ATTR.findall(tag):
        value = double if double or not single else single
        found.setdefault(name.decode("utf-8", "replace"), _unescape(value.decode("utf-8", "replace")))
    return found


def _calamine_ref(ref: str) -> tuple[int, int] | None:
    """(1-based row, 1-based column) as calamine reads `r`: letters in either case, digits; no cap."""
    match = re.fullmatch(r"([A-Za-z]+)([0-9]+)", ref)
    if not match:
        return None
    return int(match.group(2)), column_number(match.group(1))


def _cell_issue(attrs: dict[str, str], body: bytes, position: tuple[int, int] | None) -> CellIssue | None:
    kind = attrs.get("t", "n")
    has_formula = _F_START.search(body) is not None
    value_match = _V_ELEMENT.search(body)
    value = None if value_match is None else (value_match.group(1) or b"").decode("utf-8", "replace")
    row, column = (position[0], position[1] - 1) if position else (None, None)
    if has_formula:
        computed_empty_text = kind in ("str", "inlineStr") and (value is not None or b"<is" in body)
        if (value is None or not value.strip()) and not computed_empty_text:
            text = _F_TEXT.search(body)
            formula = _unescape(text.group(1).decode("utf-8", "replace")) if text else ""
            return CellIssue("uncached-formula", row, column, formula.strip())
    if kind == "e":
        return CellIssue("error-value", row, column, _unescape((value or "").strip()) or "#ERROR")
    return None


class _NeedExact(Exception):
    """The quick pass cannot vouch for this sheet: scan it again cell by cell."""


class _SheetScanner:
    """Fed a sheet's XML piece by piece; works on segments that end just after `</row>` so that
    no cell is ever split, and keeps no more than one such segment in memory.

    The quick pass (`exact=False`) trusts nothing it has not seen: it raises _NeedExact as soon
    as a segment is written in an unusual way or its bound on the area is above the limit, and
    the sheet is then scanned again from the start with `exact=True`."""

    def __init__(self, name: str, member: str, limits: Limits, exact: bool = False) -> None:
        self.name = name
        self.member = member
        self.limits = limits
        self.exact = exact
        self.prefix: bytes | None = None
        self.row_end = b"</row>"
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.issues: dict[tuple[int | None, int | None, str], CellIssue] = {}
        self.merges: list[Merge] = []
        self.rows = 0  # bound of the last row, 1-based
        self.columns = 0  # bound of the last column, 1-based
        self.first = True
        # running position, for cells and rows written without `r` (exact pass)
        self.row = 0
        self.column = 0

    def feed(self, piece: bytes) -> None:
        if self.first:
            _check_encoding(piece, self.member)
            self.first = False
        if self.prefix is None:
            self._find_prefix(b"".join(self.pending) + piece)
            if self.prefix is None:
                self.pending.append(piece)
                self.pending_size += len(piece)
                if self.pending_size > _INFLATE_PIECE * 4:  # no root element in 4 MB: odd
                    self.prefix = b""
                    if not self.exact:
                        raise _NeedExact
                return
        tail = self.pending[-1][-(len(self.row_end) - 1):] if self.pending else b""
        cut = (tail + piece).rfind(self.row_end)
        if cut != -1:
            cut = cut - len(tail) + len(self.row_end)  # position in `piece` just after `</row>`
        elif self.pending_size + len(piece) > _SEGMENT_MAX:
            # A row longer than any real one: cut after a cell, or at worst after a tag, so that
            # no tag is split (the checks that keep the reader safe look only inside tags).
            end = piece.rfind(b"</" + self.prefix + b"c>")
            cut = end + len(self.prefix) + 4 if end != -1 else piece.rfind(b">") + 1
        if cut <= 0:
            self.pending.append(piece)
            self.pending_size += len(piece)
            return
        segment = b"".join(self.pending) + piece[:cut]
        self.pending = [piece[cut:]] if cut < len(piece) else []
        self.pending_size = len(piece) - cut
        self._segment(segment)

    def finish(self) -> SheetScan:
        if self.pending:
            self._segment(b"".join(self.pending))
            self.pending = []
        issues = tuple(sorted(self.issues.values(), key=lambda i: (i.row or 0, i.column or 0)))
        merges = tuple(sorted(self.merges, key=lambda m: (m.first_row, m.first_column)))
        return SheetScan(self.name, self.member, issues, merges, self.rows, self.columns)

    def _find_prefix(self, data: bytes) -> None:
        at = 0
        while True:
            at = data.find(b"<", at)
            if at == -1 or at + 1 >= len(data):
                return
            if data[at + 1:at + 2] in (b"?", b"!"):
                at += 2
                continue
            match = _ROOT.match(data, at)
            if match:
                self.prefix = match.group(1) or b""
                self.row_end = b"</" + self.prefix + b"row>"
            return

    def _segment(self, segment: bytes) -> None:
        _check_declarations(segment, self.member)
        if self.exact:
            self._exact(segment)
        elif (self.prefix or _CELL_UNUSUAL.search(segment) or _ROW_UNUSUAL.search(segment)
              or _OTHER_PREFIX.search(segment)):
            raise _NeedExact
        else:
            self._quick(segment)
        if b"mergeCell" in segment:
            self._merges(segment)
        if self.rows * self.columns > self.limits.max_sheet_cells:
            if not self.exact:
                raise _NeedExact  # the quick bound is loose: count exactly before refusing
            raise Refused(
                f"sheet '{self.name}' has cells as far as row {self.rows:,} and column "
                f"{column_letter(max(self.columns, 1) - 1)}: a sheet spanning {self.rows * self.columns:,} cells "
                f"(more than {self.limits.max_sheet_cells:,}) cannot be read safely; delete the stray cells far "
                "from the data (Ctrl+End shows the last one) and save again")

    def _quick(self, segment: bytes) -> None:
        """Every cell is `<c r="..."`, every row `<row r="..."`: search with literals only. The
        area is bounded from above: exact columns beyond Z (else 26), rows by their digit count."""
        if b'<c r="' not in segment:
            return
        wide = {column_number(letters) for letters in set(_WIDE_COLUMNS.findall(segment))}
        self.columns = max(self.columns, max(wide, default=26))
        # Rows: bounded by their number of digits. One search settles a sheet under 100,000
        # rows; narrower bounds are sought only when the area would be over the limit.
        digits = 7 if _ROW_DIGITS[6].search(segment) else 5
        while digits > 1 and (10 ** digits - 1) * self.columns > self.limits.max_sheet_cells \
                and not _ROW_DIGITS[digits].search(segment):
            digits -= 1
        self.rows = max(self.rows, 10 ** digits - 1)
        for marker, in_body in ((b"<f", True), (b't="e"', False)):
            at = segment.find(marker)
            while at != -1:
                self._cell_at(segment, at, in_body)
                at = segment.find(marker, at + len(marker))

    def _cell_at(self, segment: bytes, at: int, in_body: bool) -> None:
        """Look at the cell around position `at`: in its body (a formula) or in its start tag."""
        start = segment.rfind(b'<c r="', 0, at)
        if start == -1:
            return
        tag_end = segment.find(b">", start)
        if tag_end == -1 or (at > tag_end) != in_body:
            return
        if segment[tag_end - 1:tag_end] == b"/":
            return  # `<c .../>` holds neither a formula nor a value: Excel shows it empty too
        end = segment.find(b"</c>", tag_end)
        if end == -1 or (in_body and end < at):
            return
        tag, body = segment[start + 2:tag_end], segment[tag_end + 1:end]
        if in_body and b't="e"' not in tag:
            value = body.find(b"<v>")
            if value != -1 and body[value + 3:value + 4] not in (b"<", b""):
                return  # the usual case: a formula with its computed value
        self._record(tag, body)

    def _record(self, tag: bytes, body: bytes, position: tuple[int, int] | None = None) -> None:
        attrs = _attributes(tag)
        if position is None and "r" in attrs:
            position = _calamine_ref(attrs["r"])
        issue = _cell_issue(attrs, body, position)
        if issue is not None:
            self.issues.setdefault((issue.row, issue.column, issue.kind), issue)

    def _exact(self, segment: bytes) -> None:
        """Cell by cell, following calamine's rules for positions (cells and rows may omit `r`)."""
        for match in _ANY_CELL_OR_ROW.finditer(segment):
            name, tag, closed = match.groups()
            ref = _attributes(tag).get("r")
            if name == b"row":
                self.row = int(ref) if ref and ref.isascii() and ref.isdigit() else self.row + 1
                self.column = 0
                self.rows = max(self.rows, self.row)
                continue
            position = _calamine_ref(ref) if ref else None
            if position is None:
                position = (max(self.row, 1), self.column + 1)
            self.column = position[1]
            self.rows = max(self.rows, position[0])
            self.columns = max(self.columns, position[1])
            if closed:
                continue
            end = _CELL_END.search(segment, match.end())
            body = segment[match.end():end.start() if end else len(segment)]
            if b"f" in body or b"e" in tag:
                self._record(tag, body, position)

    def _merges(self, segment: bytes) -> None:
        for tag in _MERGE.findall(segment):
            ref = _attributes(tag).get("ref", "")
            corners = [parse_ref(part) for part in ref.split(":")]
            if not corners or len(corners) > 2 or any(c is None for c in corners):
                continue
            (top, left), (bottom, right) = corners[0], corners[-1]  # type: ignore[misc]
            self.merges.append(Merge(ref, min(top, bottom), min(left, right), max(top, bottom), max(left, right)))


# -- the whole workbook ------------------------------------------------------------------------

_XML_SUFFIXES = (".xml", ".rels", ".vml")


def scan_workbook(path: Path, limits: Limits | None = None, force_exact: bool = False) -> Scan:
    """Check `path` as a container and scan its XML (see the module's docstring). Raises
    Refused with a message for the sender; returns what the sheets' XML shows.
    `force_exact` scans every sheet cell by cell (for tests and benchmarks)."""
    limits = limits or Limits()
    members = check_container(path, limits)
    by_name = {m.filename: m for m in members}
    file_size = path.stat().st_size
    with path.open("rb") as handle:
        index = _read_member(handle, by_name["xl/workbook.xml"], file_size, _INDEX_MAX_BYTES)
        rels_info = by_name.get("xl/_rels/workbook.xml.rels")
        rels = _read_member(handle, rels_info, file_size, _INDEX_MAX_BYTES) if rels_info else b"<Relationships/>"
        try:
            parts = sheet_parts(index, rels)
        except Exception as exc:  # defusedxml's ParseError and DTDForbidden
            raise Refused(f"the workbook's list of sheets is unreadable ({_reason(exc)}): {_SAVE_AGAIN}") from None
        sheet_of = {member: name for name, member in parts}
        sheets: dict[str, SheetScan] = {}
        scanned = len(index) + len(rels)
        exact = []
        for info in members:
            name = info.filename
            if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or info.is_dir():
                continue
            if name in sheet_of:
                try:
                    if force_exact:
                        raise _NeedExact
                    sheet, size = _scan_sheet(handle, info, file_size, sheet_of[name], limits, exact=False)
                except _NeedExact:
                    sheet, size = _scan_sheet(handle, info, file_size, sheet_of[name], limits, exact=True)
                    exact.append(sheet.name)
                sheets[sheet.name] = sheet
                scanned += size
            elif name.lower().endswith(_XML_SUFFIXES):
                scanned += _check_member(handle, info, file_size)
    macros = any(m.filename.lower().endswith("vbaproject.bin") for m in members)
    return Scan(sheets, macros, len(members), sum(m.file_size for m in members), scanned, tuple(exact))


def _scan_sheet(handle: BinaryIO, info: zipfile.ZipInfo, file_size: int, name: str, limits: Limits,
                exact: bool) -> tuple[SheetScan, int]:
    scanner = _SheetScanner(name, info.filename, limits, exact)
    size = 0
    for piece in _inflate(handle, info, file_size):
        scanner.feed(piece)
        size += len(piece)
    return scanner.finish(), size
