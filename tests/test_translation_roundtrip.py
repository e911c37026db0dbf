"""The translators' round trip of the Bureaux' texts (contract 8.6): export, translate, import,
build. Run against copies of the sample returns, through the command line, with the sample
translations in inputs/translations/ standing in for the translators' work."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.i18n.bodies import load_bodies
from reportgen.i18n.memory import load_memory, memory_path
from reportgen.i18n.pofile import PoFile, read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_MEMORY = ROOT / "inputs"  # inputs/translations/<lang>.po: the sample translations


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """The sample returns of 2008 and 2009, without any translation."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ("2008", "2009"):
        shutil.copytree(ROOT / "inputs" / name, folder / name)
    shutil.copy(ROOT / "inputs" / "report.yaml", folder / "report.yaml")
    return folder


def export(inputs: Path, year: int, lang: str, out: Path, capsys) -> str:
    assert main(["i18n", "export", "--year", str(year), "--lang", lang, "--inputs", str(inputs),
                 "--out", str(out)]) == 0
    return capsys.readouterr().out


def translate(exported: Path, done: Path, lang: str, change=None) -> PoFile:
    """The translator's work: every msgstr taken from the sample translations."""
    memory = load_memory(SAMPLE_MEMORY, lang)
    po = read_po(exported)
    entries = tuple(replace(e, target=memory.get(str(e.context), e.source) or "", flags=frozenset())
                    for e in po.entries)
    translated = PoFile(po.header, entries, po.header_notes)
    if change is not None:
        translated = change(translated)
    write_po(done, translated)
    return translated


def import_file(path: Path, inputs: Path, *extra: str) -> int:
    return main(["i18n", "import", str(path), "--inputs", str(inputs), *extra])


def entry(po: PoFile, context: str, source: str):
    return next(e for e in po.entries if e.context == context and e.source == source)


def replace_entry(po: PoFile, kind: str, text: str, **fields) -> PoFile:
    return replace(po, entries=tuple(replace(e, **fields) if (e.context, e.source) == (kind, text) else e
                                     for e in po.entries))


# -- export -----------------------------------------------------------------------------------

def test_export_gives_each_distinct_text_once_with_its_context(inputs, tmp_path, capsys):
    out = tmp_path / "returns-2009-fr.po"
    said = export(inputs, 2009, "fr", out, capsys)
    po = read_po(out)
    assert po.header["Language"] == "fr" and po.header["X-Reportgen-Year"] == "2009"
    data = json.loads((_build(inputs, tmp_path / "en", capsys, "en") / "report-2009.json").read_text("utf-8"))
    kpis = {k["kpi"] for k in data["kpis"]}
    comments = {k["comment"] for k in data["kpis"] if k["comment"]}
    units = {(e.context, e.source) for e in po.entries if e.context == "unit"}
    assert {e.source for e in po.entries if e.context == "kpi"} == kpis
    assert {e.source for e in po.entries if e.context == "comment"} == comments
    assert units == set()  # the samples type only units of the controlled list: the report translates them
    sources = {e.source for e in po.entries if e.context == "source"}
    assert sources == set()  # RAG, TSAG, TDAG, Council 2009, PP-06: all known bodies
    assert len({(e.context, e.source) for e in po.entries}) == len(po.entries)
    notices = entry(po, "kpi", "Notices processed")
    assert any('KPI of output R-03 "Processing of space notices & other related activities"' in note
               and "BR (Radiocommunication Bureau)" in note and "BR_2009.xlsx, sheet KPIs, row 11" in note
               for note in notices.notes), notices.notes
    shared = entry(po, "kpi", "Contributions received")  # a KPI of several outputs: one unit, every place
    places = sorted(k["output"] for k in data["kpis"] if k["kpi"] == "Contributions received")
    assert len(places) > 1
    assert sorted(re.match(r"KPI of output (\S+)", n).group(1) for n in shared.notes if n.startswith("KPI")) == places
    comment = entry(po, "comment", "Layout tool changed mid-year; times recovered in the fourth quarter")
    assert any('Comment on the KPI "Average time to publish" of output R-06' in n for n in comment.notes)
    assert all(e.target == "" for e in po.entries)
    assert f"{len(po.entries)} texts of the 2009 returns for 'fr', 0 filled in" in said


def test_export_is_read_by_gnu_gettext(inputs, tmp_path, capsys):
    """The file is standard PO: GNU msgfmt checks it and compiles it without a word."""
    out = tmp_path / "returns-2009-ar.po"
    export(inputs, 2009, "ar", out, capsys)
    done = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "ar.mo"), str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr


# -- round trip and translation memory ----------------------------------------------------

def test_round_trip_stores_the_translations_and_the_build_uses_them(inputs, tmp_path, capsys):
    exported, done = tmp_path / "returns-2009-fr.po", tmp_path / "fr-done.po"
    export(inputs, 2009, "fr", exported, capsys)
    translated = translate(exported, done, "fr")
    assert import_file(done, inputs) == 0
    said = capsys.readouterr().out
    assert f"{len(translated.entries)} new and 0 changed translation(s) stored in {memory_path(inputs, 'fr')}" in said
    memory = load_memory(inputs, "fr")
    assert memory.get("kpi", "Notices processed") == "Fiches de notification traitées"
    # Exported again, everything is filled in; imported again, nothing changes.
    again = tmp_path / "again.po"
    assert "0 to translate" in export(inputs, 2009, "fr", again, capsys)
    assert [e.target for e in read_po(again).entries] == [e.target for e in translated.entries]
    before = memory_path(inputs, "fr").read_bytes()
    assert import_file(again, inputs) == 0
    assert memory_path(inputs, "fr").read_bytes() == before
    folder = _build(inputs, tmp_path / "out", capsys, "fr")
    page = (folder / "report-2009-fr.html").read_text("utf-8")
    tables = kpi_tables(page)
    assert '<th scope="row">Fiches de notification traitées' in tables
    assert "Notices processed" not in tables and 'lang="en"' not in tables


def test_translation_memory_fills_in_what_an_earlier_year_translated(inputs, tmp_path, capsys):
    first, first_done = tmp_path / "returns-2008-ar.po", tmp_path / "ar-2008.po"
    export(inputs, 2008, "ar", first, capsys)
    translate(first, first_done, "ar")
    assert import_file(first_done, inputs) == 0
    second = tmp_path / "returns-2009-ar.po"
    said = export(inputs, 2009, "ar", second, capsys)
    texts_2008 = {(e.context, e.source) for e in read_po(first).entries}
    po = read_po(second)
    carried = [e for e in po.entries if (e.context, e.source) in texts_2008]
    new = [e for e in po.entries if (e.context, e.source) not in texts_2008]
    assert carried and new
    assert all(e.target and not e.fuzzy for e in carried)  # costs the translator nothing
    assert all(e.target == "" for e in new)
    assert entry(po, "kpi", "Notices processed").target == "بطاقات التبليغ المعالجة"  # a KPI carried over
    words = sum(len(e.source.split()) for e in new)
    assert f"{len(carried)} filled in from earlier translations, {len(new)} to translate ({words} words)" in said


# -- import: what it refuses ---------------------------------------------------------------

@pytest.fixture
def exported_fr(inputs, tmp_path, capsys) -> Path:
    out = tmp_path / "returns-2009-fr.po"
    export(inputs, 2009, "fr", out, capsys)
    return out


def test_import_refuses_a_file_for_another_language(inputs, exported_fr, tmp_path, capsys):
    done = tmp_path / "done.po"
    translate(exported_fr, done, "fr", lambda po: replace(po, header={**po.header, "Language": "ar"}))
    assert import_file(done, inputs, "--lang", "fr") == 2
    error = capsys.readouterr().err
    assert f"{done}: the file is for 'ar' (its Language header), not for 'fr'" in error
    assert not memory_path(inputs, "fr").exists() and not memory_path(inputs, "ar").exists()


def test_import_refuses_translations_in_the_script_of_another_language(inputs, exported_fr, tmp_path, capsys):
    """The file says French, but a translator saved the Arabic translations in it."""
    done = tmp_path / "done.po"
    translate(exported_fr, done, "ar", lambda po: replace(po, header={**po.header, "Language": "fr"}))
    assert import_file(done, inputs) == 2
    error = capsys.readouterr().err
    assert re.search(r"the file is for 'fr' \(its Language header\), but \d+ of its \d+ translations are in "
                     r"Arabic script, not in the script of 'fr' \(a file for ar\?\)", error), error
    assert not memory_path(inputs, "fr").exists()


def test_import_refuses_the_reports_own_catalogue(inputs, capsys):
    catalogue = ROOT / "reportgen" / "i18n" / "locale" / "fr" / "LC_MESSAGES" / "reportgen.po"
    assert import_file(catalogue, inputs) == 2
    assert re.search(r"\d+ of its \d+ units have no context of a text of the returns .*: is it the report's own "
                     "catalogue\\?", capsys.readouterr().err)
    assert not memory_path(inputs, "fr").exists()


def test_import_refuses_units_whose_source_text_changed(inputs, exported_fr, tmp_path, capsys):
    done = tmp_path / "done.po"
    translated = translate(exported_fr, done, "fr", lambda po: replace_entry(
        po, "kpi", "Notices processed", source="Notices processed (all)"))
    line = read_po(done).entries[[e.source for e in translated.entries].index("Notices processed (all)")].line
    assert import_file(done, inputs) == 1
    captured = capsys.readouterr()
    assert (f'{done}:{line}: error: unit kpi "Notices processed (all)": its source text was changed '
            '(exported as "Notices processed"): keep the msgid exactly as exported') in captured.err
    assert "1 unit(s) refused" in captured.out
    memory = load_memory(inputs, "fr")
    assert memory.get("kpi", "Notices processed (all)") is None and memory.get("kpi", "Notices processed") is None
    assert memory.get("kpi", "Recommendations approved") == "Recommandations approuvées"  # the rest is stored


def test_import_refuses_a_unit_no_return_holds(inputs, exported_fr, tmp_path, capsys):
    """A Bureau corrected its return after the export: the old text is no longer in any return."""
    done = tmp_path / "done.po"
    translate(exported_fr, done, "fr", lambda po: replace_entry(
        po, "comment", "Budget constraints", source="Budget constraint", notes=()))
    assert import_file(done, inputs) == 1
    assert ('unit comment "Budget constraint": its source text is in no return under the inputs folder'
            in capsys.readouterr().err)


MARKUP = "Layout tool changed mid-year; <b>not bold</b> & \"quotes\" as typed"


def set_cell(inputs: Path, file: str, kpi: str, column: str, value: str) -> None:
    """Type `value` in `column` of the KPIs row named `kpi` of a sample return."""
    from openpyxl import load_workbook

    path = inputs / "2009" / file
    book = load_workbook(path)
    sheet = book["KPIs"]
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if sum(c.value is not None for c in r) >= 2)
    columns = {c.value: c.column for c in header}
    row = next(r for r in rows if r[columns["KPI"] - 1].value == kpi)
    sheet.cell(row=row[0].row, column=columns[column], value=value)
    book.save(path)


@pytest.fixture
def exported_markup(inputs, tmp_path, capsys) -> Path:
    """The French export of returns where a Bureau typed markup in a comment (shown as typed)."""
    set_cell(inputs, "BR_2009.xlsx", "Average time to publish", "Comment", MARKUP)
    out = tmp_path / "returns-2009-fr.po"
    export(inputs, 2009, "fr", out, capsys)
    return out


@pytest.mark.parametrize("target, reason", [
    ("Outil changé; <b>pas en gras</b & « guillemets »", "broken markup: '</b & « guillemets »' is a tag without its closing '>'"),
    ("Outil changé; <b>pas en gras & « guillemets »", "broken markup: the source has the tags <b> </b>, the translation <b>"),
    ("Outil changé; </b>pas en gras<b> & « guillemets »", "broken markup: </b> closes nothing that is open there"),
    ("Outil changé; <b>pas en gras</b> &amp; « guillemets »", "the translation holds the HTML entity &amp;"),
    ("Outil changé\x07; <b>pas en gras</b>", "the translation holds the control character U+0007"),
])
def test_import_refuses_broken_markup(inputs, exported_markup, tmp_path, capsys, target, reason):
    source = MARKUP
    done = tmp_path / "done.po"
    translate(exported_markup, done, "fr", lambda po: replace_entry(po, "comment", source, target=target))
    line = entry(read_po(done), "comment", source).line
    assert import_file(done, inputs) == 1
    lines = capsys.readouterr().err.splitlines()
    named = [row for row in lines if row.startswith(f'{done}:{line}: error: unit comment "Layout tool changed')]
    assert len(named) == 1 and named[0].endswith(reason) or reason in named[0], lines
    assert load_memory(inputs, "fr").get("comment", source) is None


@pytest.mark.parametrize("damage, line_of, reason", [
    (lambda text: text.replace('msgid "Notices processed"', 'msgid "Notices processed'), "Notices processed",
     "a string must be one line between double quotes: the closing quote is missing"),
    (lambda text: text.replace('msgstr "Fiches de notification traitées"', 'msgstr "Fiches \\q traitées"'),
     "Fiches", "unknown escape \\q"),
    (lambda text: text.replace('msgstr "Fiches de notification traitées"', 'msgstr "Fiches "de" notification"'),
     "Fiches", 'a double quote inside a string must be written \\"'),
    (lambda text: text.replace('msgstr "Fiches de notification traitées"', 'Fiches de notification traitées'),
     "Fiches", "'Fiches' is not a PO keyword"),
])
def test_import_refuses_a_file_whose_po_markup_is_broken(inputs, exported_fr, tmp_path, capsys, damage,
                                                        line_of, reason):
    done = tmp_path / "done.po"
    translate(exported_fr, done, "fr")
    text = damage(done.read_text("utf-8"))
    done.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if line_of in row and not row.startswith("#"))
    assert import_file(done, inputs) == 2
    assert f"reportgen: {done}:{line}: {reason}" in capsys.readouterr().err
    assert not memory_path(inputs, "fr").exists()  # nothing of the file was stored


# -- the build ----------------------------------------------------------------------------------

def _build(inputs: Path, outputs: Path, capsys, langs: str) -> Path:
    assert main(["build", "--year", "2009", "--inputs", str(inputs), "--outputs", str(outputs),
                 "--lang", langs, "--no-pdf"]) == 0
    return outputs / "2009"


def kpi_tables(page: str) -> str:
    return "".join(re.findall(r'<table class="kpis outputs".*?</table>', page, re.S))


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]{3,}", text)}


def _french_vocabulary() -> set[str]:
    """Every word of the report's French texts that are not the Bureaux' (catalogue and plan)."""
    import yaml
    from babel.messages.pofile import read_po as babel_read_po

    words: set[str] = set()
    with (ROOT / "reportgen/i18n/locale/fr/LC_MESSAGES/reportgen.po").open("rb") as handle:
        for message in babel_read_po(handle):
            for text in message.string if isinstance(message.string, (list, tuple)) else [message.string]:
                words |= _words(text or "")

    def walk(value) -> None:
        nonlocal words
        if isinstance(value, str):
            words |= _words(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(yaml.safe_load((ROOT / "reportgen/plan/plans/itu-2008-2011.fr.yaml").read_text("utf-8")))
    return words


# French words spelt as in English, and names that stay as they are (Doha Action Plan, ITU
# TELECOM World): not English words left over.
FRENCH_AS_ENGLISH = {"audit", "bulletins", "centres", "excellence", "experts", "forum", "instruments", "licences",
                     "modifications", "modules", "notifications", "participants", "sections", "doha", "world"}


def test_french_kpi_tables_hold_no_english_word_but_marked_untranslated_ones(inputs, tmp_path, capsys):
    """With every text translated, no English word is left in the KPI tables; with one KPI name
    left untranslated, that name is the only English in them, marked lang="en"."""
    memory = load_memory(SAMPLE_MEMORY, "fr")
    left_out = "Average processing time of space notices"
    units = {key: value for key, value in memory.units.items() if key != ("kpi", left_out)}
    from reportgen.i18n.memory import Memory, save_memory

    save_memory(inputs, Memory("fr", units))
    folder = _build(inputs, tmp_path / "out", capsys, "fr")
    assert "untranslated texts of the returns: fr 1" in capsys.readouterr().out
    report = json.loads((folder / "report-2009.json").read_text("utf-8"))
    assert report["untranslated"] == 1 and report["translations"]["fr"]["texts"] == [
        {"kind": "kpi", "text": left_out}]
    typed = " ".join(k[f] for k in report["kpis"] for f in ("kpi", "unit", "comment") if k[f])
    acronyms = {w.casefold() for w in re.findall(r"[A-Z]{2,}", typed)}  # IFIC, BDT: not English words
    english = _words(typed) - acronyms
    only_english = english - _french_vocabulary() - FRENCH_AS_ENGLISH
    assert {"processed", "average", "notices", "held", "days"} <= only_english  # the check has teeth
    tables = kpi_tables((folder / "report-2009-fr.html").read_text("utf-8"))
    marked = re.findall(r'<bdi dir="ltr" lang="en">(.*?)</bdi>', tables)
    assert marked == [left_out]
    unmarked = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'<bdi dir="ltr" lang="en">.*?</bdi>', " ", tables)))
    assert sorted(_words(unmarked) & only_english) == []
    assert {"jours", "nombre", "mois"} <= _words(unmarked)  # the controlled units, from the catalogue


def test_untranslated_texts_are_marked_isolated_and_counted(inputs, tmp_path, capsys):
    exported = tmp_path / "returns.po"
    export(inputs, 2009, "fr", exported, capsys)
    folder = _build(inputs, tmp_path / "out", capsys, "en,fr,ar")
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads((folder / "report-2009.json").read_text("utf-8"))
    counts = {lang: report["translations"][lang]["untranslated"] for lang in ("fr", "ar")}
    # What is left untranslated is exactly what the export gives the translators.
    assert counts["fr"] == counts["ar"] == len(read_po(exported).entries) > 100
    assert report["untranslated"] == counts["fr"] + counts["ar"]
    assert last_line.endswith(f"; untranslated texts of the returns: fr {counts['fr']}, ar {counts['ar']})")
    for lang in ("fr", "ar"):
        page = (folder / f"report-2009-{lang}.html").read_text("utf-8")
        assert '<th scope="row"><bdi dir="ltr" lang="en">Notices processed</bdi>' in page
    french = (folder / "report-2009-fr.html").read_text("utf-8")
    assert f"{counts['fr']} textes saisis dans les relevés ne sont pas encore traduits" in french
    # What the report translates itself needs no translator: units and the proposals' sources.
    assert "<td>jours</td>" in french
    findings = "".join(re.findall(r'<ul class="findings">.*?</ul>', french, re.S))
    assert "GCR" in findings and "GCNT" in findings and not re.search(r"\b(RAG|TSAG)\b", findings)
    arabic = (folder / "report-2009-ar.html").read_text("utf-8")
    assert "الفريق الاستشاري للاتصالات الراديوية (RAG)" in "".join(
        re.findall(r'<ul class="findings">.*?</ul>', arabic, re.S))
    english = (folder / "report-2009.html").read_text("utf-8")
    assert '<th scope="row">Notices processed' in english  # the original: nothing marked


def test_a_broken_memory_file_leaves_the_texts_in_english_with_a_warning(inputs, tmp_path, capsys):
    path = memory_path(inputs, "fr")
    path.parent.mkdir()
    path.write_text('msgctxt "kpi"\nmsgid "Notices processed\nmsgstr "x"\n', "utf-8")
    folder = _build(inputs, tmp_path / "out", capsys, "fr")
    captured = capsys.readouterr()
    assert f"warning: the translations for 'fr' cannot be read ({path}:2: a string must be one line" in captured.err
    assert '<bdi dir="ltr" lang="en">Notices processed</bdi>' in (folder / "report-2009-fr.html").read_text("utf-8")


# -- the terms the tool translates itself -------------------------------------------------------

@pytest.mark.parametrize("typed, lang, cited", [
    ("WRC-07", "fr", "CMR-07"), ("WRC-2007", "es", "CMR-07"), ("wrc 07", "ru", "ВКР-07"),
    ("RAG", "fr", "GCR"), ("TSAG", "es", "GANT"), ("TDAG", "ru", "КГРЭ"), ("WTSA-08", "fr", "AMNT-08"),
    ("WTDC-10", "es", "CMDT-10"), ("PP-06", "ru", "ПК-06"), ("Council 2009", "fr", "Conseil de 2009"),
    ("Council 2009", "ru", "Совет 2009 года"), ("Council 2009", "ar", "دورة المجلس لعام 2009"),
    ("RAG", "ar", "الفريق الاستشاري للاتصالات الراديوية (RAG)"),
    ("WRC-07", "zh", "2007年世界无线电通信大会（WRC-07）"),
    ("Telecommunication Standardization Advisory Group", "fr", "GCNT"),
    ("Working Party 5D", "fr", None), ("SMS4DC", "fr", None), ("G20", "fr", None),
])
def test_known_bodies_are_cited_in_each_language(typed, lang, cited):
    assert load_bodies().cite(typed, lang) == cited


def test_every_body_has_all_six_languages():
    bodies = {body.key: body for body in load_bodies().by_spelling.values()}
    assert {"PP", "Council", "WRC", "RAG", "TSAG", "TDAG", "WTSA", "WTDC"} <= set(bodies)
    for body in bodies.values():
        assert set(body.names) == {"en", "fr", "es", "ar", "zh", "ru"}, body.key


def test_a_free_text_unit_goes_to_the_translators_and_a_listed_one_does_not(inputs, tmp_path, capsys):
    set_cell(inputs, "BR_2009.xlsx", "Notices processed", "Unit", "notices per staff member")
    set_cell(inputs, "BR_2009.xlsx", "Frequency assignments processed", "Unit", "Days")  # a listed unit
    out = tmp_path / "returns.po"
    export(inputs, 2009, "fr", out, capsys)
    units = [e for e in read_po(out).entries if e.context == "unit"]
    assert [e.source for e in units] == ["notices per staff member"]
    assert any('Unit of the KPI "Notices processed" of output R-03' in n for n in units[0].notes)


# -- the PO files themselves --------------------------------------------------------------------

def test_po_files_keep_every_character_through_writing_and_reading(tmp_path):
    from babel.messages.pofile import read_po as babel_read_po

    from reportgen.i18n.pofile import PoEntry

    tricky = ['Say "yes" \\ or no', "two\nlines\n", "tab\there", "« Très » 5 % — ٪ 数量", "<b>x</b> & y"]
    po = PoFile({"Language": "fr", "Content-Type": "text/plain; charset=UTF-8"},
                tuple(PoEntry("comment", text, text.upper(), ("a note",), ("2009/BR.xlsx:4",)) for text in tricky))
    path = tmp_path / "tricky.po"
    write_po(path, po)
    back = read_po(path)
    assert [(e.context, e.source, e.target) for e in back.entries] == [(e.context, e.source, e.target)
                                                                       for e in po.entries]
    with path.open("rb") as handle:  # Babel, and GNU gettext, read the same
        assert [m.string for m in babel_read_po(handle) if m.id] == [text.upper() for text in tricky]
    done = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_import_refuses_a_unit_with_plural_forms(inputs, exported_fr, tmp_path, capsys):
    done = tmp_path / "done.po"
    translate(exported_fr, done, "fr")
    text = done.read_text("utf-8").replace(
        'msgid "Notices processed"\nmsgstr "Fiches de notification traitées"',
        'msgid "Notices processed"\nmsgid_plural "Notices processed"\nmsgstr[0] "Fiche traitée"\n'
        'msgstr[1] "Fiches traitées"')
    done.write_text(text, "utf-8")
    assert import_file(done, inputs) == 1
    assert 'unit kpi "Notices processed": it has plural forms (msgid_plural)' in capsys.readouterr().err
    assert load_memory(inputs, "fr").get("kpi", "Notices processed") is None
