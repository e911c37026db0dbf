"""What a translation coming back must keep of its source: markup, placeholders, plain
characters, and the script of its language. Each check returns the reason a unit (or a whole
file) is refused, in words a translator can act on, or None."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)\s*(/?)\s*>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w.]*\}|%\([A-Za-z_]\w*\)[sdif]|%[sdif]")
_BROKEN_TAG = re.compile(r"<\s*/?\s*[A-Za-z][\w:.-]*(?:\s[^<>]*)?(?=<|$)")

# The script a language is written in, by the first word of a character's Unicode name.
SCRIPTS = {"en": "LATIN", "fr": "LATIN", "es": "LATIN", "ru": "CYRILLIC", "ar": "ARABIC", "zh": "CJK"}
SCRIPT_NAMES = {"LATIN": "Latin", "CYRILLIC": "Cyrillic", "ARABIC": "Arabic", "CJK": "Chinese (CJK)"}


def _tags(text: str) -> list[tuple[str, str]]:
    """(open|close|empty, name) of each tag, in order."""
    found = []
    for match in _TAG.finditer(text):
        closing, name, _, empty = match.groups()
        found.append(("close" if closing else "empty" if empty else "open", name.lower()))
    return found


def _nesting_fault(tags: list[tuple[str, str]]) -> str | None:
    stack: list[str] = []
    for kind, name in tags:
        if kind == "open":
            stack.append(name)
        elif kind == "close":
            if not stack or stack[-1] != name:
                return f"</{name}> closes nothing that is open there"
            stack.pop()
    return f"<{stack[-1]}> is never closed" if stack else None


def markup_fault(source: str, target: str) -> str | None:
    """Why `target` does not keep the markup, placeholders and plain characters of `source`."""
    for char in target:
        if unicodedata.category(char) == "Cc" and char not in "\n\t":
            return (f"the translation holds the control character U+{ord(char):04X}: "
                    "retype the text without it")
    broken = _BROKEN_TAG.search(target)
    if broken and not _BROKEN_TAG.search(source):
        return f"broken markup: '{broken.group(0).strip()[:20]}' is a tag without its closing '>'"
    source_tags, target_tags = _tags(source), _tags(target)
    if Counter(source_tags) != Counter(target_tags):
        def show(tags: list[tuple[str, str]]) -> str:
            return " ".join(f"</{n}>" if k == "close" else f"<{n}/>" if k == "empty" else f"<{n}>"
                            for k, n in tags) or "none"
        return (f"broken markup: the source has the tags {show(source_tags)}, the translation "
                f"{show(target_tags)}; keep exactly the source's tags")
    fault = _nesting_fault(target_tags)
    if fault:
        return f"broken markup: {fault}"
    entities = sorted(set(_ENTITY.findall(target)) - set(_ENTITY.findall(source)))
    if entities:
        return (f"the translation holds the HTML entity {entities[0]}: type the character itself "
                "(the report escapes every text)")
    missing = Counter(_PLACEHOLDER.findall(source)) - Counter(_PLACEHOLDER.findall(target))
    if missing:
        return f"the placeholder {next(iter(missing))} of the source is missing from the translation"
    return None


def script_of(text: str) -> str | None:
    """The script most of the letters of `text` are written in (LATIN, ARABIC, CJK, ...)."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ")[0] if name else ""
            if script.startswith("CJK") or script in ("HIRAGANA", "KATAKANA"):
                script = "CJK"
            counts[script] += 1
    return counts.most_common(1)[0][0] if counts else None


def script_fault(language: str, targets: list[str]) -> str | None:
    """Why translations `targets` cannot be for `language`: most of them in another script."""
    expected = SCRIPTS.get(language)
    scripts = [s for s in (script_of(t) for t in targets) if s is not None]
    if expected is None or not scripts:
        return None
    foreign = Counter(s for s in scripts if s != expected)
    if sum(foreign.values()) * 2 <= len(scripts):
        return None
    script, count = foreign.most_common(1)[0]
    likely = sorted(lang for lang, s in SCRIPTS.items() if s == script and lang != "en")
    guess = f" (a file for {' or '.join(likely)}?)" if likely else ""
    return (f"{count} of its {len(scripts)} translations are in {SCRIPT_NAMES.get(script, script.title())} "
            f"script, not in the script of '{language}'{guess}")
