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

from reportgen import format
from reportgen.format import Severity, Status
from reportgen.errors import BuildError
from reportgen.model import STATUSES, PlanName, ReportModel
from reportgen.resources import TEMPLATES_DIR

log = logging.getLogger(__name__)

from reportgen.render.symbols import STATUS_CLASSES, STATUS_ICONS, STATUS_LABELS


from reportgen.render.locale import RTL_LANGUAGES


def N_(text: str) -> str:
    """Marks a fixed text for translation where it is defined; it is translated when shown."""
    return text


SEVERITY_LABELS = {Severity.ERROR: N_("error"), Severity.WARNING: N_("warning")}
DATA_STATUS_LABELS = {"final": N_("final"), "draft": N_("draft (provisional)"), "illustrative": N_("illustrative")}
FINANCIAL_ITEM_LABELS = {
    "Assessed contributions billed": N_("Assessed contributions billed"),
    "Assessed contributions received": N_("Assessed contributions received"),
    "Arrears": N_("Arrears"), "Reserve Account balance": N_("Reserve Account balance"),
    "Cost-recovery income": N_("Cost-recovery income"), "Extra-budgetary funds": N_("Extra-budgetary funds")}
STANCE_LABELS = {"support": N_("supported"), "support-with-changes": N_("supported with changes"),
                 "not-supported": N_("not supported"), "noted": N_("noted")}


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
# Two filters consult `texts` (a reportgen.i18n.returns.ReturnTexts, the one parameter this adds):
# `workbook_text(kind, typed_in)` for a text of a return shown on its own (KPI name, unit,
# comment, highlight, a proposal's source), and `say_workbook` for a sentence of the pipeline
# (a reportgen.model.Text) whose values include such texts, by the names the rules give them.


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


def _say_workbook(texts: Any, locale: Any, plan: Any, text: Any) -> Any:
    """`locale.text(text)` with the returns' texts among its values shown as `_workbook_text`
    shows them (each value is put in through a private-use placeholder, after escaping)."""
    from dataclasses import replace

    from markupsafe import Markup, escape

    from reportgen.model import Text, WorkbookText

    if not isinstance(text, Text):
        return escape(locale.text(text, plan))
    shown: dict[str, str] = {}
    values = []
    for name, value in text.values:
        if isinstance(value, WorkbookText):
            token = f"\ue000{len(shown)}\ue001"
            shown[token] = str(_workbook_text(texts, value.text, value.kind, None, locale.language))
            value = token
        values.append((name, value))
    sentence = str(escape(locale.text(replace(text, values=tuple(values)), plan)))
    for token, markup in shown.items():
        sentence = sentence.replace(token, markup)
    return Markup(sentence)


def environment(locale: Any = "en", plan: Any = None, locations: dict | None = None, texts: Any = None) -> Any:
    """The Jinja2 environment of one language: autoescaped, strict, gettext-ready, with
    display-only filters that format through `locale` (a `Locale`, or a language code);
    `texts` gives the Bureaux' texts in that language (as typed, marked, if None)."""
    import jinja2
    from markupsafe import Markup

    from reportgen.render.locale import Locale, locale_for
    from reportgen.pipeline.rules import RULES

    if not isinstance(locale, Locale):
        locale = locale_for(locale)
    lang = locale.language
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        bytecode_cache=_compiled_templates(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    translations = locale.translations
    if translations is None:
        import gettext as gettext_module

        translations = gettext_module.NullTranslations()
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    gettext = locale.gettext
    env.filters["num"] = lambda v, digits=0: locale.number(v, digits or None)
    # Money is shown in whole thousands of CHF, whatever the equal split left behind.
    env.filters["money"] = lambda v: locale.number(round(v) if v is not None else None)
    env.filters["pct"] = locale.percent
    env.filters["date"] = locale.date
    env.filters["status_icon"] = lambda s: STATUS_ICONS[s]
    env.filters["status_class"] = lambda s: STATUS_CLASSES[s]
    env.filters["status_label"] = lambda s: gettext(STATUS_LABELS[s])
    env.filters["rule_label"] = lambda r: gettext(RULES[r].label) if r in RULES else r
    env.filters["severity_label"] = lambda s: gettext(SEVERITY_LABELS.get(s, s))
    # A sentence the pipeline wrote in no language (findings, changes, decisions), in this one.
    env.filters["say"] = lambda text: locale.text(text, plan)
    env.filters["where"] = lambda source: _where(source, locations or {}, locale)
    env.filters["subject_name"] = lambda code: locale.text(PlanName(code), plan)
    env.filters["data_status_label"] = lambda status: gettext(DATA_STATUS_LABELS.get(status, status))
    env.filters["financial_item"] = lambda item: gettext(FINANCIAL_ITEM_LABELS.get(item, item))
    env.filters["stance_label"] = lambda stance: gettext(STANCE_LABELS.get(stance, stance))
    # Charts come from reportgen.charts, which escapes every workbook text it draws.
    env.filters["safe_svg"] = lambda svg: Markup(svg)
    env.filters["keep_abbr"] = _keep_abbreviations
    env.filters["svg_data_uri"] = lambda svg: "data:image/svg+xml;base64," + base64.b64encode(
        svg.encode("utf-8")).decode("ascii")
    env.filters["bidi"] = lambda text, text_lang=None: _isolate(text, text_lang, lang)
    if texts is None:
        from reportgen.i18n.returns import ReturnTexts

        texts = ReturnTexts(lang)
    env.filters["workbook_text"] = lambda text, kind, text_lang=None: _workbook_text(texts, text, kind, text_lang, lang)
    env.filters["say_workbook"] = lambda text: _say_workbook(texts, locale, plan, text)
    env.globals["comma"] = gettext(N_(", "))
    env.globals["semicolon"] = gettext(N_("; "))
    env.globals["STATUSES"] = STATUSES
    env.globals["page_footer"] = Markup(_css_content(gettext(N_("Page {page} of {pages}")),
                                                    page="counter(page)", pages="counter(pages)"))
    env.globals["lang"] = lang
    env.globals["direction"] = locale.direction
    return env


_COMPILED: Any = None


def _compiled_templates() -> Any:
    """Templates compiled once per process and shared by every language's environment (an
    environment is made per language, with its own filters): compiling them was two thirds of
    the time a language's HTML took. Jinja checks each template's source is unchanged."""
    global _COMPILED
    if _COMPILED is None:
        import jinja2

        class InMemory(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: Any) -> None:
                if bucket.key in self.store:
                    bucket.bytecode_from_string(self.store[bucket.key])

            def dump_bytecode(self, bucket: Any) -> None:
                self.store[bucket.key] = bucket.bytecode_to_string()

        _COMPILED = InMemory()
    return _COMPILED


def _where(source: Any, locations: dict, locale: Any) -> str:
    """Where a piece of evidence is in the report ("Table 2.2, R-03, KPI 2"), not in the returns:
    the returns' file names are for the annex."""
    place = locations.get(source)
    if place is None:
        return locale.say(N_("the returns (see the annex)"))
    if place.position is None:
        return locale.say(N_("Table {table}, {output}"), table=place.table, output=place.output)
    return locale.say(N_("Table {table}, {output}, KPI {n}"), table=place.table, output=place.output,
                      n=place.position)


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


def render_html(model: ReportModel, charts: dict[str, Any] | None = None, locale: Any = "en",
                for_pdf: bool = False, texts: Any = None) -> str:
    """The report's HTML in `locale`'s language (`model` localised to it, see
    `reportgen.render.localised`);
    `for_pdf` gives the variant WeasyPrint renders (charts as images); `texts` (a
    reportgen.i18n.returns.ReturnTexts) gives the Bureaux' texts in that language."""
    from markupsafe import Markup

    from reportgen.i18n.returns import ReturnTexts, texts_of_model
    from reportgen.render.locale import Locale, locale_for

    # Our own stylesheet, not workbook text: it must go in unescaped.
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    css = Markup(inline_custom_properties(css) if for_pdf else css)
    language = locale.language if isinstance(locale, Locale) else locale_for(locale).language
    texts = texts if texts is not None else ReturnTexts(language)
    template = environment(locale, model.plan, model.locations, texts).get_template("report.html.j2")
    untranslated = len(texts.untranslated(texts_of_model(model))) if language != "en" else 0
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
    """WeasyPrint, with SVG text drawn as whole runs (`svgtext`) and table header cells tagged
    with their scope (`tablescope`), or a BuildError naming the system libraries to install."""
    try:
        import weasyprint
    except OSError as exc:  # Pango or HarfBuzz missing: cffi cannot load the library
        raise BuildError(
            f"WeasyPrint cannot load a system library ({str(exc).splitlines()[0]}): install them with "
            "'apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core'"
        ) from exc
    from reportgen.render import svgtext, tablescope
    svgtext.install()
    tablescope.install()
    return weasyprint


_KPI_ENTRY_FIELDS = tuple(name for name in format.KPIS.fields if name != "objectives")


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
                # the return's columns (format.py); `objectives` is the analysed one below
                **{name: getattr(k.entry, name, None) for name in _KPI_ENTRY_FIELDS},
                "achievement": k.achievement,
                "status": k.status,
                "objectives": list(k.objectives),
                "goals": list(k.goals),
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
        **advice_json(model),
        "problems": [p.as_dict() for p in model.problems],
    }


def _english(text: Any, plan: Any) -> str:
    from reportgen.render.locale import ENGLISH

    return ENGLISH.text(text, plan)


def _change_json(change: Any, plan: Any) -> dict[str, Any]:
    found = {"kind": change.kind, "text": _english(change.text, plan)}
    if change.derivation is not None:
        found["derivation"] = _english(change.derivation, plan)
    for name in ("output", "kpi", "current_target", "proposed_target", "amount"):
        if getattr(change, name) is not None:
            found[name] = getattr(change, name)
    if change.source_output:
        found["from"] = change.source_output
    if change.destination_output:
        found["to"] = change.destination_output
    return found


def advice_json(model: ReportModel) -> dict[str, Any]:
    """Contract 8.4: `recommendations` (changes to the plan, one per subject, by priority),
    `decisions` and `data_requests`, in English."""
    plan, advice = model.plan, model.advice

    def evidence(sources: Any) -> list[dict[str, Any]]:
        return [s.as_dict() for s in sources]

    def position(p: Any) -> dict[str, Any]:
        return {"proposal": p.proposal, "body": p.body, "text": p.text, "stance": p.stance, "reason": p.reason}

    return {
        "recommendations": [
            {"id": r.id, "rule": r.rule, "refers_to": r.refers_to, "priority": r.priority,
             "text": " ".join(_english(c.text, plan) for c in r.changes),
             "priority_reasons": _english(r.priority_reasons, plan),
             "evidence": evidence(r.evidence),
             "findings": [{"rule": f.rule, "text": _english(f.text, plan), "evidence": evidence(f.evidence)}
                          for f in r.findings],
             "proposed_change": _change_json(r.changes[0], plan),
             "proposed_changes": [_change_json(c, plan) for c in r.changes],
             "position": position(r.positions[0]) if r.positions else None,
             "positions": [position(p) for p in r.positions],
             "follow_up": ({"id": r.follow_up.previous_id, "outcome": r.follow_up.outcome,
                            "still_holds": r.follow_up.still_holds} if r.follow_up else None),
             "related": list(r.related)}
            for r in advice.recommendations
        ],
        "decisions": [{"text": _english(d.text, plan), "recommendations": list(d.recommendations)}
                      for d in advice.decisions],
        "data_requests": [{"bureau": d.bureau, "refers_to": d.refers_to, "text": _english(d.text, plan),
                           "evidence": evidence(d.evidence)} for d in advice.data_requests],
        "follow_up": [{"id": f.previous_id, "outcome": f.outcome, "still_holds": f.still_holds,
                       "text": _english(f.text, plan)} for f in advice.follow_ups],
        "financial_situation": [{"item": f.item, "amount": f.amount, "previous": f.previous,
                                 "source": f.source.as_dict() if f.source else None}
                                for f in advice.financial_situation],
        "conference_cycle": [{"output": x.output, "event": x.event, "next": x.next_year, "execution": x.execution}
                             for x in advice.exemptions],
    }
