"""Small text helpers shared by the stages: how names in workbooks are compared."""

import re

_HEADER_NOISE = re.compile(r"[\s_\-]+")


def fold(text: str) -> str:
    """Case-insensitive key with runs of white space folded to one (contract section 1)."""
    # str.split() splits at the characters `\s` matches, and is faster than the regex.
    return " ".join(str(text).split()).casefold()


def header_key(text: str) -> str:
    """Key for sheet and header names: case, spaces, underscores and hyphens ignored,
    so `Refers to`, `refers_to` and `REFERS-TO` are one header."""
    return _HEADER_NOISE.sub("", str(text)).casefold()
