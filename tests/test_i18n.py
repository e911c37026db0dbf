"""The report in the six official languages: translated texts, the locale's numbers, right to
left for Arabic, every glyph present in the PDF, and the same numbering in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.cli import main
from reportgen.i18n.catalogues import LANGUAGES, check, translations

ROOT = Path(__file__).resolve().parents[1]
OTHERS = [lang for lang in LANGUAGES if lang != "en"]


@pytest.fixture(scope="module")
def all_languages(six_languages):
    """The six languages' reports, built once for the session (tests/conftest.py)."""
    return six_languages


def html_of(folder: Path, lang: str) -> str:
    name = "report-2009.html" if lang == "en" else f"report-2009-{lang}.html"
    return (folder / name).read_text(encoding="utf-8")


def pdf_of(folder: Path, lang: str) -> Path:
    return folder / ("report-2009.pdf" if lang == "en" else f"report-2009-{lang}.pdf")


def visible_text(html: str) -> str:
    body = html.split("</style>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_every_language_is_complete():
    for lang in OTHERS:
        status = check(lang)
        assert status.complete, (lang, status.untranslated[:5], status.missing[:5], status.plan_missing[:5])


def test_i18n_check_command_reports_each_language(capsys):
    assert main(["i18n", "check"]) == 0
    out = capsys.readouterr().out
    for lang in OTHERS:
        assert re.search(rf"^{lang}: \d+ strings: complete", out, re.M), out


@pytest.mark.parametrize("lang", OTHERS)
def test_translated_headings_and_plan_texts(all_languages, lang):
    html = html_of(all_languages, lang)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    gettext = translations(lang).gettext
    for heading in ("Recommendations to adjust the plan", "Results by goal of the Union", "Data quality"):
        translated = gettext(heading)
        assert translated != heading, f"{heading!r} is not translated into {lang}"
        assert translated in visible_text(html)
    # The plan's own texts come from the language file, not the English plan.
    assert "Radiocommunication Sector (ITU-R)" not in visible_text(html)


def test_workbook_text_is_translated_or_isolated_where_its_direction_or_language_differs(all_languages):
    """The Bureaux' texts appear in the report's language (inputs/translations/ holds the sample
    translations), as plain text in the document's direction. A text without translation, or
    in another language than the report's, is a <bdi> with its direction and language."""
    from reportgen.i18n.returns import ReturnTexts
    from reportgen.i18n.memory import Memory
    from reportgen.render import report as render
    english, arabic, french = (html_of(all_languages, lang) for lang in ("en", "ar", "fr"))
    kpi = "Member States represented at preparatory meetings"
    assert f"<th scope=\"row\">{kpi}" in english and f"<bdi dir=\"ltr\">{kpi}" not in english
    arabic_tables = "".join(re.findall(r'<table class="kpis outputs".*?</table>', arabic, re.S))
    assert '<th scope="row">الدول الأعضاء الممثلة في الاجتماعات التحضيرية' in arabic_tables
    assert kpi not in arabic_tables and 'lang="en"' not in arabic_tables  # every text translated
    assert '<th scope="row">États Membres représentés aux réunions préparatoires' in french
    isolate = render.environment("en").filters["bidi"]
    assert str(isolate("نسبة الدول", "ar")) == '<bdi dir="rtl" lang="ar">نسبة الدول</bdi>'
    assert str(isolate("Survey of نسبة (2009)")) == '<bdi dir="ltr">Survey of نسبة (2009)</bdi>'
    assert str(isolate("Q&A <b>")) == "Q&amp;A &lt;b&gt;"  # still escaped
    assert str(isolate("Taux de réponse", "fr")) == '<bdi dir="ltr" lang="fr">Taux de réponse</bdi>'
    assert str(isolate("Response rate", "en-GB")) == "Response rate"
    assert str(render.environment("ar").filters["bidi"]("R-01 days")) == '<bdi dir="ltr">R-01 days</bdi>'
    texts = ReturnTexts("ar", Memory("ar", {("kpi", "Response rate"): "معدل الاستجابة"}))
    shown = render.environment("ar", texts=texts).filters["workbook_text"]
    assert str(shown("Response rate", "kpi")) == "معدل الاستجابة"  # translated: the document's own
    assert str(shown("Q&A <b>", "kpi")) == '<bdi dir="ltr" lang="en">Q&amp;A &lt;b&gt;</bdi>'
    assert str(shown("Taux de réponse", "comment", "fr")) == '<bdi dir="ltr" lang="fr">Taux de réponse</bdi>'
    assert str(shown("days", "unit")) == "أيام"  # a unit of the controlled list, from the catalogue
    assert str(render.environment("en").filters["workbook_text"]("Response rate", "kpi")) == "Response rate"


def test_the_annex_says_its_messages_are_english_and_marks_them_so(all_languages):
    english, french = html_of(all_languages, "en"), html_of(all_languages, "fr")
    note = "Each problem is described in English"
    assert note not in english and translations("fr").gettext(note + ", as it is sent to the Bureau that "
                                                               "corrects its return.") in french
    annex = french[french.index('id="annex-data-quality"'):]
    assert '<td><bdi dir="ltr" lang="en">' in annex  # screen readers read the messages as English


@pytest.mark.parametrize("lang, separator", [("en", ","), ("fr", "\u202f"), ("es", "."), ("ru", "\u00a0"),
                                             ("ar", ","), ("zh", ",")])
def test_numbers_follow_the_locale(all_languages, lang, separator):
    import json

    budget = json.loads((all_languages / "report-2009.json").read_text("utf-8"))["summary"]["budget"]
    assert budget >= 1000  # thousands of CHF: a figure with a group separator
    total = f"{round(budget):,}".replace(",", separator)
    html = html_of(all_languages, lang)
    assert re.search(rf"<td class=\"n\">{total}</td>", html), f"total budget not written {total!r} in {lang}"


def test_french_decimals_use_a_comma(all_languages):
    html = html_of(all_languages, "fr")
    assert re.search(r"\d,\d", visible_text(html).rsplit("Annexe", 1)[0])  # e.g. 15,5 for a baseline
    assert "\u00a0%" in html  # 96 % with a no-break space


def numbering(html: str) -> list[str]:
    """Paragraph, table and figure numbers in document order."""
    return re.findall(r'id="(para-[\d.A]+|table-[\w-]+|figure-[\w-]+)"', html)


def test_numbering_is_identical_in_every_language(all_languages):
    english = numbering(html_of(all_languages, "en"))
    assert len(english) > 40  # paragraphs, tables and figures: a Sector's outputs are one table
    for lang in OTHERS:
        assert numbering(html_of(all_languages, lang)) == english, lang


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-_]", "", name).lower()


def _installed_coverage() -> dict[str, set[int]]:
    """Every installed font family's characters, as fontconfig reports them."""
    import subprocess

    listing = subprocess.run(["fc-list", "--format", "%{family}|%{charset}\n"], capture_output=True,
                             text=True, check=True).stdout
    coverage: dict[str, set[int]] = {}
    for line in listing.splitlines():
        families, _, charset = line.partition("|")
        points: set[int] = set()
        for part in charset.split():
            low, _, high = part.partition("-")
            points.update(range(int(low, 16), int(high or low, 16) + 1))
        for family in families.split(","):
            coverage.setdefault(_normalise(family), set()).update(points)
    return coverage


def embedded_families(pdf: Path) -> set[str]:
    """Font names embedded in the PDF, without the subset prefix: 'NotoNaskhArabic-Bold' etc."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).get_object().values():
            base = str(font.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names


def characters_without_glyph(text: str, pdf: Path) -> set[str]:
    """Characters of `text` that none of the PDF's embedded fonts can draw: they would show as
    an empty box (the font's .notdef glyph)."""
    coverage = _installed_coverage()
    usable: set[int] = set()
    for name in embedded_families(pdf):
        key = _normalise(name)
        for family, points in coverage.items():
            if family and key.startswith(family):
                usable |= points
    return {c for c in set(text) if not c.isspace() and ord(c) >= 0x20 and ord(c) not in usable
            and c not in "\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069"}


def test_the_glyph_check_finds_a_missing_glyph(tmp_path):
    from reportgen.render.report import render_pdf

    text = "Unassigned: \u0378 and \u0379"
    pdf = tmp_path / "missing.pdf"
    pdf.write_bytes(render_pdf(f'<html lang="en"><body style="font-family: DejaVu Sans"><p>{text}</p></body></html>'))
    assert characters_without_glyph(text, pdf) == {"\u0378", "\u0379"}
    assert not characters_without_glyph("Plain text, 96 %", pdf)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_character_of_the_pdf_has_a_glyph(all_languages, lang):
    pdf = pdf_of(all_languages, lang)
    text = visible_text(html_of(all_languages, lang))
    missing = characters_without_glyph(text, pdf)
    assert not missing, f"{lang}: no glyph for {sorted(missing)[:20]}"
    fonts = embedded_families(pdf)
    if lang == "ar":
        assert any("Naskh" in f or "Arabic" in f for f in fonts), fonts
    if lang == "zh":
        assert any("CJK" in f for f in fonts), fonts


def test_arabic_text_is_extracted_from_the_pdf(all_languages):
    text = "".join(page.extract_text() for page in PdfReader(pdf_of(all_languages, "ar")).pages[:4])
    assert re.search(r"[\u0600-\u06ff]{3,}", text)
