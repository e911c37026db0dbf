"""Turn the report model into HTML (Jinja2, autoescaped), PDF (WeasyPrint) and JSON.

The templates only show: every figure is computed before they run, and the filters here
only format. WeasyPrint gets a URL fetcher that reaches nothing but `data:` URLs and the
project's own template folder, so no text in a workbook can make it read a local file or
the network.
"""

from __future__ import annotations

import base64
import logging
import unicodedata
from pathlib import Path
from typing import Any

from reportgen.errors import BuildError
from reportgen.model import STATUSES, ReportModel

log = logging.getLogger(__name__)

from reportgen.resources import TEMPLATES_DIR
STATUS_ICONS = {"achieved": "●", "partially achieved": "◐", "not achieved": "○", "not reported": "–"}
STATUS_CLASSES = {s: s.replace(" ", "-") for s in STATUSES}


def _format_number(value: float | None, digits: int = 0, locale: str = "en") -> str:
    if value is None:
        return "–"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if digits == 0 and float(value) != round(float(value)):
        pattern = "#,##0.##"
    try:
        return format_decimal(value, format=pattern, locale=locale)
    except ArithmeticError:  # beyond decimal's precision: validation bounds values, this is a guard
        return f"{value:g}"


def _format_percent(value: float | None, locale: str = "en") -> str:
    if value is None:
        return "–"
    from babel.numbers import format_percent

    return format_percent(value, locale=locale)  # the locale's own pattern: 96%, 96 %, ٪96


RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def _format_date(value: str | None, locale: str = "en") -> str:
    if not value:
        return ""
    from datetime import date

    from babel.dates import format_date

    try:
        # ITU writes "15 January 2010": British English for the English report.
        return format_date(date.fromisoformat(value[:10]), format="long",
                           locale="en_GB" if locale == "en" else locale)
    except ValueError:
        return value


def N_(text: str) -> str:
    """Marks a fixed text for translation where it is defined; it is translated when shown."""
    return text


STATUS_LABELS = {"achieved": N_("achieved"), "partially achieved": N_("partially achieved"),
                 "not achieved": N_("not achieved"), "not reported": N_("not reported")}
RULE_LABELS = {"objective-review": N_("objective review"), "overspend": N_("overspend"),
               "underspend": N_("underspend"), "missing-data": N_("missing data"),
               "persistent-shortfall": N_("persistent shortfall"), "proposal": N_("proposal")}
SEVERITY_LABELS = {"error": N_("error"), "warning": N_("warning")}


def _direction(text: str) -> str:
    """The direction of the first strong character (what HTML's dir=auto does)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _isolate(text: Any, lang: str | None = None, document_lang: str = "en") -> Any:
    """Workbook text, escaped and isolated in its own direction, so that English in an Arabic
    report (or Arabic in an English one) keeps its punctuation in place.

    Left-to-right text without any right-to-left letter, in a left-to-right report of its own
    language, is left as it is: the isolate would change nothing there, and the isolates
    around every KPI, unit and comment were 5 % of the PDF's layout work."""
    from markupsafe import Markup, escape

    if text is None:
        return ""
    text = str(text)
    direction = _direction(text)
    same_language = lang is None or lang.split("-")[0] == document_lang.split("-")[0]
    if (direction == "ltr" and same_language and document_lang.split("-")[0] not in RTL_LANGUAGES
            and not any(unicodedata.bidirectional(char) in ("R", "AL", "RLE", "RLO", "RLI") for char in text)):
        return escape(text)
    attributes = f' dir="{direction}"' + (f' lang="{escape(lang)}"' if lang else "")
    return Markup(f"<bdi{attributes}>{escape(text)}</bdi>")


def _keep_abbreviations(text: str) -> Any:
    """'Sector (ITU-T)' with the bracketed abbreviation kept on one line: without this, lines
    break after its hyphen ('(UIT-' / 'T)')."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"(\([^()\s]{1,15}\))", r'<span class="nowrap">\1</span>', str(escape(text))))


def _css_content(message: str, **counters: str) -> str:
    """A CSS `content` value from a translated message with {placeholders} for counters:
    'Page {page} of {pages}' → "Page " counter(page) " of " counter(pages)."""
    import re

    parts = []
    for piece in re.split(r"(\{\w+\})", message):
        if piece.startswith("{") and piece[1:-1] in counters:
            parts.append(counters[piece[1:-1]])
        elif piece:
            text = piece.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
            parts.append(f'"{text}"')
    return " ".join(parts)


# -- the Bureaux' texts in the report's language (issue 15) ------------------------------------
# One filter, `workbook_text(kind, typed_in)`, for every text typed in a return; one parameter,
# `texts` (a reportgen.i18n.returns.ReturnTexts), says what each is in the report's language.

def _workbook_text(texts: Any, text: Any, kind: str, text_lang: str | None, document_lang: str) -> Any:
    """A text of a return in the report's language: its translation, plain; or, for want of
    one, the text as typed, marked with its language and isolated in its direction."""
    from markupsafe import escape

    if text is None:
        return ""
    shown, language = texts.lookup(str(text), kind, text_lang)
    if language.split("-")[0] == document_lang.split("-")[0]:
        return escape(shown)  # in the document's language: its direction and hyphenation apply
    return _isolate(shown, language, document_lang)


def environment(lang: str = "en", translations: Any = None, texts: Any = None) -> Any:
    """The Jinja2 environment: autoescaped, strict, gettext-ready, with display-only filters.
    `texts` translates the Bureaux' texts (English as typed if None)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    if translations is None:
        import gettext as gettext_module

        translations = gettext_module.NullTranslations()
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    gettext = translations.gettext
    env.filters["num"] = lambda v, digits=0: _format_number(v, digits, lang)
    # Money is shown in whole thousands of CHF, whatever the equal split left behind.
    env.filters["money"] = lambda v: _format_number(round(v) if v is not None else None, 0, lang)
    env.filters["pct"] = lambda v: _format_percent(v, lang)
    env.filters["date"] = lambda v: _format_date(v, lang)
    env.filters["status_icon"] = lambda s: STATUS_ICONS[s]
    env.filters["status_class"] = lambda s: STATUS_CLASSES[s]
    env.filters["status_label"] = lambda s: gettext(STATUS_LABELS[s])
    env.filters["rule_label"] = lambda r: gettext(RULE_LABELS.get(r, r))
    env.filters["severity_label"] = lambda s: gettext(SEVERITY_LABELS.get(s, s))
    # Charts come from reportgen.charts.charts, which escapes every workbook text it draws.
    env.filters["safe_svg"] = lambda svg: Markup(svg)
    env.filters["keep_abbr"] = _keep_abbreviations
    env.filters["svg_data_uri"] = lambda svg: "data:image/svg+xml;base64," + base64.b64encode(
        svg.encode("utf-8")).decode("ascii")
    env.filters["bidi"] = lambda text, text_lang=None: _isolate(text, text_lang, lang)
    if texts is None:
        from reportgen.i18n.returns import ReturnTexts

        texts = ReturnTexts(lang)
    env.filters["workbook_text"] = lambda text, kind, text_lang=None: _workbook_text(texts, text, kind, text_lang, lang)
    env.globals["comma"] = gettext(N_(", "))
    env.globals["semicolon"] = gettext(N_("; "))
    env.globals["STATUSES"] = STATUSES
    env.globals["page_footer"] = Markup(_css_content(gettext(N_("Page {page} of {pages}")),
                                                    page="counter(page)", pages="counter(pages)"))
    env.globals["lang"] = lang
    env.globals["direction"] = "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"
    return env


def inline_custom_properties(css: str) -> str:
    """The stylesheet with each `var(--name)` replaced by its value from `:root`, and the
    `:root` block dropped: WeasyPrint carries custom properties on every element and resolves
    them each time (2 % of the PDF's work); the colours stay named once in report.css."""
    import re

    root = re.search(r":root\s*\{([^}]*)\}", css)
    if root is None:
        return css
    values = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root.group(1)))
    inlined = re.sub(r"var\(\s*(--[\w-]+)\s*\)", lambda m: values.get(m.group(1), m.group(0)).strip(), css[root.end():])
    return css[:root.start()] + inlined


def render_html(model: ReportModel, charts: dict[str, Any] | None = None, lang: str = "en",
                translations: Any = None, for_pdf: bool = False, texts: Any = None) -> str:
    """The report's HTML; `for_pdf` gives the variant WeasyPrint renders (charts as images);
    `texts` (a ReturnTexts) gives the Bureaux' texts in `lang`."""
    from markupsafe import Markup

    from reportgen.i18n.returns import ReturnTexts, texts_of_model

    # Our own stylesheet, not workbook text: it must go in unescaped.
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    css = Markup(inline_custom_properties(css) if for_pdf else css)
    texts = texts if texts is not None else ReturnTexts(lang)
    template = environment(lang, translations, texts).get_template("report.html.j2")
    untranslated = len(texts.untranslated(texts_of_model(model))) if lang != "en" else 0
    return template.render(m=model, plan=model.plan, css=css, charts=charts or {}, for_pdf=for_pdf,
                           untranslated=untranslated)


def _fetcher_class() -> type:
    import weasyprint

    class ProjectOnlyFetcher(weasyprint.URLFetcher):
        """Allows `data:` URLs and files inside the template folder; refuses all else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
                if path.is_relative_to(TEMPLATES_DIR) and path.is_file():
                    return super().fetch(url, headers)
            log.warning("refused to fetch %s while rendering the PDF", url[:200])
            raise ValueError(f"reportgen fetches nothing outside its own assets: {url[:200]}")

    return ProjectOnlyFetcher


ATTACHMENT_DESCRIPTIONS = {"json": "The computed report (reportgen JSON)",
                           "xlsx": "Consolidated data workbook"}


def render_pdf(html: str, variant: str | None = None, attachments: list[tuple[str, bytes]] | None = None,
               date: str | None = None) -> bytes:
    """The PDF of an HTML report; `variant` is a WeasyPrint PDF variant such as pdf/ua-1."""
    from reportgen.util.gcpause import collection_paused

    weasyprint = import_weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR) + "/",
                               url_fetcher=_fetcher_class()())
    with collection_paused():
        return document.write_pdf(**pdf_options(variant, attachments, date))


def pdf_options(variant: str | None = None, attachments: list[tuple[str, bytes]] | None = None,
                date: str | None = None) -> dict[str, Any]:
    """WeasyPrint's `write_pdf` options for `render_pdf` (WeasyPrint already imported)."""
    import weasyprint

    options: dict[str, Any] = {"pdf_variant": variant} if variant else {}
    from datetime import datetime, timezone

    # Attachments carry a date; the report's own keeps the bytes reproducible.
    stamp = datetime.fromisoformat(date).replace(tzinfo=timezone.utc) if date else datetime(2000, 1, 1, tzinfo=timezone.utc)
    # PDF/A-1 and PDF/A-2 forbid arbitrary attachments; every other variant may carry them.
    if attachments and not (variant or "").startswith(("pdf/a-1", "pdf/a-2")):
        options["attachments"] = [
            weasyprint.Attachment(string=data, name=name, relationship="Supplement",
                                  created=stamp, modified=stamp,
                                  description=ATTACHMENT_DESCRIPTIONS.get(name.rsplit(".", 1)[-1], name))
            for name, data in attachments
        ]
    return options


def import_weasyprint() -> Any:
    """WeasyPrint, with SVG text drawn as whole runs (`svgtext`), or a BuildError naming the
    system libraries to install."""
    try:
        import weasyprint
    except OSError as exc:  # Pango or HarfBuzz missing: cffi cannot load the library
        raise BuildError(
            f"WeasyPrint cannot load a system library ({str(exc).splitlines()[0]}): install them with "
            "'apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core'"
        ) from exc
    from reportgen.render import svgtext
    svgtext.install()
    return weasyprint


def report_json(model: ReportModel) -> dict[str, Any]:
    """The computed report as contract section 7 lays it out (plus a few extra fields)."""
    plan = model.plan
    return {
        "year": model.year,
        "plan": plan.id,
        "illustrative": model.illustrative,
        "summary": {
            "status_counts": model.status_counts,
            "budget": model.budget,
            "expenditure": model.expenditure,
            "execution": model.execution,
            "returns": [{"file": r.file, "bureau": r.bureau, "data_status": r.data_status}
                        for r in model.returns],
        },
        "kpis": [
            {
                "bureau": k.entry.bureau,
                "sector": k.entry.sector,
                "output": k.entry.output,
                "kpi": k.entry.kpi,
                "unit": k.entry.unit,
                "baseline": k.entry.baseline,
                "target": k.entry.target,
                "actual": k.entry.actual,
                "direction": k.entry.direction,
                "achievement": k.achievement,
                "status": k.status,
                "objectives": list(k.objectives),
                "goals": list(k.goals),
                "comment": k.entry.comment,
                "source": k.entry.source.as_dict(),
                "history": [{"year": h.year, "target": h.target, "actual": h.actual, "status": h.status}
                            for h in k.history],
            }
            for k in model.kpis
        ],
        "finance": [
            {"output": f.output, "budget": f.budget, "expenditure": f.expenditure,
             "execution": f.execution, "source": f.source.as_dict()}
            for f in model.finance
        ],
        "objectives": [
            {"code": o.objective.code, "sector": o.objective.sector, "status_counts": o.status_counts,
             "budget": o.budget, "expenditure": o.expenditure, "execution": o.execution}
            for o in model.objectives
        ],
        "goals": [
            {"code": g.goal.code, "objectives": list(g.objectives), "status_counts": g.status_counts}
            for g in model.goals
        ],
        "recommendations": [
            {"id": r.id, "rule": r.rule, "refers_to": r.refers_to, "objective": r.objective,
             "text": r.text, "proposed_by": r.body, "evidence": [e.as_dict() for e in r.evidence]}
            for r in model.recommendations
        ],
        "problems": [p.as_dict() for p in model.problems],
    }
