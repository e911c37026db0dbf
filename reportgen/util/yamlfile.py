"""Reading the small YAML files people write (the plan and its translations, the rules file,
`report.yaml`): one place that turns a missing, oversized, binary, non-UTF-8, broken or
non-mapping file into a problem with its line, and that remembers the line of every key and
list item, so that the checks which follow can say on which line a value is wrong.

The YAML read here differs from PyYAML's `safe_load` in four ways, each for the user's sake:
- `1e308` and `1.5e3` are numbers (YAML 1.1 reads a number only as `1.0e+308`, and made the
  rules file refuse `1e308` as "not a number");
- dates stay text (`date: 2009-13-45` made PyYAML itself raise a ValueError, a traceback):
  whoever reads a date checks it and names the line;
- a key given twice in one mapping is a problem (PyYAML silently keeps the last);
- every mapping is a `Mapping` (a dict) that knows the line of each key, every list a
  `Sequence` (a list) that knows the line of each item.
"""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path
from typing import Any

from reportgen.errors import ConfigError, ConfigProblem

# A configuration file is a few kilobytes (the plan, the largest, about 30 KB). A bigger one is
# the wrong file, and reading /dev/zero or a FIFO would never end.
MAX_BYTES = 5_000_000


class Mapping(dict):
    """A YAML mapping that remembers where it begins and where each of its keys stands."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A YAML list that remembers where it begins and where each item stands."""

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of `key` in a Mapping or Sequence (or of the container with no key); None for
    anything else, such as a dict made in code."""
    if isinstance(container, (Mapping, Sequence)):
        return container.line if key is None else container.line_of(key)
    return None


def describe(value: Any) -> str:
    """A value as the user typed it, for messages: `.nan`, `.inf`, `[1, 2]`, `true`, nothing."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, (list, tuple)):
        items = ", ".join(v if isinstance(v, str) else describe(v) for v in value)
        return f"a list [{items[:60]}]"
    if isinstance(value, dict):
        return "a group of keys {" + ", ".join(str(k) for k in value)[:60] + "}"
    if isinstance(value, str):
        return repr(value[:60])
    return str(value)


def _loader_class() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser, where PyYAML has it
    from yaml.constructor import ConstructorError

    class LineLoader(base):  # type: ignore[misc, valid-type]
        pass

    def mapping(loader: Any, node: Any) -> Mapping:
        own = {id(key) for key, _ in node.value}
        loader.flatten_mapping(node)  # `<<: *defaults` merges come first and may be overridden
        result = Mapping(node.start_mark.line + 1)
        written: dict[Any, int] = {}  # keys written in this mapping (not merged in): their lines
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError("while reading a mapping", node.start_mark,
                                       "a key must be a plain text or number", key_node.start_mark) from None
            line = key_node.start_mark.line + 1
            if id(key_node) in own:
                if key in written:
                    raise ConstructorError(None, None, f"'{key}' is given twice (first on line {written[key]})",
                                           key_node.start_mark)
                written[key] = line
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def sequence(loader: Any, node: Any) -> Sequence:
        result = Sequence(node.start_mark.line + 1)
        for item in node.value:
            result.append(loader.construct_object(item, deep=True))
            result.item_lines.append(item.start_mark.line + 1)
        return result

    LineLoader.add_constructor("tag:yaml.org,2002:map", mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", sequence)
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    LineLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."))
    return LineLoader


_LOADER: type | None = None


def _decode(raw: bytes, path: Path, what: str) -> str:
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start:exc.start + 1].hex().upper()
        raise ConfigError([ConfigProblem(
            str(path), line, f"the {what} is not UTF-8 text (byte 0x{byte} in column {column}; "
            "Latin-1 or Windows-1252, perhaps)",
            "save it as UTF-8: in most editors, 'Save as' and choose the encoding UTF-8")]) from None


def read_yaml(path: Path, what: str) -> Any:
    """The document in the YAML file at `path` (None for an empty file), mappings and lists
    carrying their lines. Raises ConfigError with one problem, naming the line where it can,
    when the file cannot be read or is not YAML. `what` names the file for the user
    ("rules file", "plan file")."""
    import yaml

    global _LOADER
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError([ConfigProblem(str(path), None, f"the {what} is not a file (a folder, "
                                             "a device or a pipe)", "give the path of a YAML file")])
        if info.st_size > MAX_BYTES:
            raise ConfigError([ConfigProblem(
                str(path), None, f"the {what} is {info.st_size / 1e6:.0f} MB; a {what} is a few KB",
                "check that this is the right file")])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), None, f"there is no {what} here",
                                         "check the path and the file name")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), None, f"the {what} cannot be read: "
                                         f"{exc.strerror or exc}", "check its permissions")]) from None
    text = _decode(raw, path, what)
    if _LOADER is None:
        _LOADER = _loader_class()
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (SafeLoader's subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        fix = "keep one of them" if "given twice" in message else \
            "check the indentation, the colons and the quotes on this line and the one before"
        raise ConfigError([ConfigProblem(str(path), line, f"not valid YAML: {message}", fix)]) from None
    except yaml.YAMLError as exc:  # a character YAML does not allow (a NUL, a control character)
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).split("\n")[0]
        raise ConfigError([ConfigProblem(str(path), line, f"not valid YAML: {reason}",
                                         f"is this a {what}? Remove the character or save the file as text")]) from None
    except RecursionError:
        raise ConfigError([ConfigProblem(str(path), None, f"the {what} nests too deeply",
                                         "is this the right file?")]) from None


def read_mapping(path: Path, what: str, error: type[ConfigError] = ConfigError) -> Mapping:
    """The keys and values of the YAML file at `path` (an empty Mapping for an empty file).
    Raises `error` headed "cannot read <what>" when the file cannot be read, is not YAML, or
    does not hold keys and values."""
    try:
        data = read_yaml(path, what)
    except ConfigError as exc:
        raise error(exc.problems, f"cannot read {what}") from None
    if data is None:
        return Mapping(1)
    if not isinstance(data, Mapping):
        raise error([ConfigProblem(str(path), line_of(data) or 1,
                                   f"the {what} must hold keys and values, not {describe(data)}",
                                   "write one 'key: value' per line")], f"cannot read {what}")
    return data
