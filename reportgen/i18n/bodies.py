"""The ITU bodies a proposal comes from, cited in each of the six languages (data: bodies.yaml).

`cite("WRC-07", "fr")` gives "CMR-07", `cite("Council 2009", "ru")` "Совет 2009 года",
`cite("RAG", "ar")` "الفريق الاستشاري للاتصالات الراديوية (RAG)"; a source that is not a known
body (an ad hoc meeting, a typing slip) gives None and goes to the translators instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError
from reportgen.i18n.terms import NP_

BODIES_FILE = Path(__file__).resolve().parent / "bodies.yaml"
# What validation writes when a proposal's Source is empty: cited by the catalogues.
UNSPECIFIED = NP_("source", "unspecified")
_SOURCE = re.compile(r"(?P<body>.*?)[\s\-–]*(?P<year>(?:19|20)\d\d|\d\d)?")


class BodiesError(ReportgenError):
    """bodies.yaml is malformed (a fault of the package, reported as clearly as a user's)."""


@dataclass(frozen=True, slots=True)
class Body:
    key: str
    kind: str  # "event" (cited with its year as WRC-07) or "meeting" (Council 2009)
    names: dict[str, dict[str, str]]  # language -> {acronym, name, [cite, cite_event, cite_meeting]}
    review: tuple[str, ...]  # languages whose entry awaits review


@dataclass(frozen=True, slots=True)
class Bodies:
    citation: dict[str, dict[str, str]]
    by_spelling: dict[str, Body]

    def find(self, text: str) -> tuple[Body, int | None] | None:
        """The body a typed source names and the year it gives, if any."""
        match = _SOURCE.fullmatch(" ".join(str(text).split()))
        if match is None:
            return None
        body = self.by_spelling.get(match["body"].casefold())
        year = match["year"]
        if body is None and year:  # "SMS4DC 07" is no body; nor is a name ending in digits
            body = self.by_spelling.get(" ".join(str(text).split()).casefold())
            year = None
        if body is None:
            return None
        if year is None:
            return body, None
        number = int(year)
        if len(year) == 2:
            number += 1900 if number >= 50 else 2000
        return body, number

    def cite(self, text: str, language: str) -> str | None:
        """How the report in `language` cites the source typed as `text`; None if unknown."""
        found = self.find(text)
        if found is None:
            return None
        body, year = found
        names = body.names.get(language)
        if names is None:
            return None
        if year is None:
            form = "cite"
        else:
            form = "cite_event" if body.kind == "event" else "cite_meeting"
        pattern = names.get(form) or self.citation[language][form]
        return pattern.format(acronym=names["acronym"], name=names["name"], year=year or "",
                              yy=f"{(year or 0) % 100:02d}")


def _check(data: dict[str, Any], path: Path) -> Bodies:
    citation = data.get("citation")
    bodies = data.get("bodies")
    if not isinstance(citation, dict) or not isinstance(bodies, dict):
        raise BodiesError(f"{path} needs the mappings 'citation' and 'bodies'")
    forms = ("cite", "cite_event", "cite_meeting")
    for lang, patterns in citation.items():
        if not isinstance(patterns, dict) or any(not isinstance(patterns.get(f), str) for f in forms):
            raise BodiesError(f"{path}: citation.{lang} needs {', '.join(forms)}")
    by_spelling: dict[str, Body] = {}
    for key, entry in bodies.items():
        if not isinstance(entry, dict) or entry.get("kind") not in ("event", "meeting"):
            raise BodiesError(f"{path}: bodies.{key} needs kind: event or meeting")
        names, review = {}, []
        for lang in citation:
            value = entry.get(lang)
            if not isinstance(value, dict) or not value.get("acronym") or not value.get("name"):
                raise BodiesError(f"{path}: bodies.{key}.{lang} needs an acronym and a name")
            names[lang] = {k: str(v) for k, v in value.items() if k != "review"}
            if value.get("review"):
                review.append(lang)
        body = Body(str(key), entry["kind"], names, tuple(review))
        for spelling in (str(key), names["en"]["acronym"], names["en"]["name"], *entry.get("aliases", ())):
            folded = " ".join(str(spelling).split()).casefold()
            if by_spelling.get(folded, body) is not body:
                raise BodiesError(f"{path}: '{spelling}' names both {by_spelling[folded].key} and {key}")
            by_spelling[folded] = body
    return Bodies({lang: dict(p) for lang, p in citation.items()}, by_spelling)


@lru_cache(maxsize=4)
def load_bodies(path: Path = BODIES_FILE) -> Bodies:
    from reportgen.util.yamlfile import read_mapping

    return _check(read_mapping(path, BodiesError, "list of ITU bodies"), path)
