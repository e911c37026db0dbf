"""Untrusted files (issue 3): every odd or hostile workbook is one clear error for that file,
with what to do; the build goes on with the other files; `--strict` fails. Every file is made
here in code. Timings belong in bench/ingest_hostile.py; the bounds below only prove that a
bomb is refused unpacked."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from fixtures.xlsx_parts import (RawMember, add_shared_strings, bomb_workbook, ole_file, patch, raw_member,
                                 read_parts, sheet_member, write_parts, write_raw_zip)
from reportgen.pipeline import ingest
from reportgen.bureau import xlsxscan
from reportgen.pipeline.build import Options, build
from reportgen.cli import main
from reportgen.pipeline.ingest import Limits
from workbooks import KPI_HEADER, about, write_workbook

YEAR = 2009
MARKER = "SECRET-MARKER-7f3a9c"
KPIS = "xl/worksheets/sheet2.xml"  # the KPIs sheet of good_workbook (About is sheet1)


def good_workbook(path: Path, bureau: str = "BR") -> Path:
    return write_workbook(path, {
        "About": about(bureau, YEAR),
        "KPIs": [KPI_HEADER,
                 [f"{ {'BR': 'R', 'TSB': 'T', 'BDT': 'D', 'GS': 'INT'}[bureau]}-01", "Delegates", "number",
                  100, 120, 130, "higher", None]],
    })


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = good_workbook(tmp_path / "good" / "BR_2009.xlsx")
    assert sheet_member(path, "KPIs") == KPIS
    return path


def read(path: Path, limits: Limits = Limits()):
    return ingest.read_workbook(path, path.name, limits)


def assert_refused(path: Path, *words: str, limits: Limits = Limits()) -> str:
    """One error for the file, naming it, saying why (`words`) and what to do."""
    workbook, problems = read(path, limits)
    assert workbook is None
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.severity, problem.file, problem.sheet, problem.row) == ("error", path.name, None, None)
    for word in words:
        assert word in problem.message, problem.message
    assert any(fix in problem.message for fix in ("save", "remove", "raise", "delete")), problem.message
    return problem.message


@pytest.fixture
def no_reader(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if calamine is asked to read anything."""
    calls: list[Path] = []

    def refuse(path: Path) -> None:
        calls.append(path)
        raise RuntimeError("reached the reader")
    monkeypatch.setattr(ingest, "_read_sheets", refuse)
    yield
    assert calls == [], "the file reached the reader"


# -- not a workbook at all -----------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"Output;KPI;Target\nR-01;Delegates;120\n",  # a CSV renamed
    os.urandom(4096),
    b"",
], ids=["csv-renamed", "random-bytes", "empty"])
def test_a_file_that_is_not_a_workbook_is_an_error(tmp_path: Path, content: bytes, no_reader: None) -> None:
    path = tmp_path / "BR_2009.xlsx"
    path.write_bytes(content)
    assert_refused(path)


def test_a_zip_that_is_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert_refused(path, "not an Excel workbook")


def test_a_binary_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00" * 10)
    assert_refused(path, ".xlsb")


def test_a_truncated_workbook_is_an_error(good: Path, tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(path, "truncated or corrupt")


def test_a_damaged_part_is_an_error(good: Path, tmp_path: Path) -> None:
    """Bytes changed inside the sheet's compressed data: refused from its checksum or stream."""
    path = tmp_path / "BR_2009.xlsx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(KPIS)
    start = info.header_offset + 30 + len(info.filename)
    for offset in range(start + 10, start + info.compress_size - 10, 7):
        data[offset] ^= 0x55
    path.write_bytes(bytes(data))
    assert_refused(path, "corrupt")


# -- containers Excel writes that calamine cannot read ---------------------------------------

def test_a_password_protected_workbook_says_remove_the_password(tmp_path: Path, no_reader: None) -> None:
    # A password to open makes Excel write an OLE compound file holding the encrypted package.
    path = ole_file(tmp_path / "BR_2009.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    assert_refused(path, "password-protected", "remove the password")


def test_an_xls_renamed_xlsx_says_save_as_xlsx(tmp_path: Path, no_reader: None) -> None:
    path = ole_file(tmp_path / "BR_2009.xlsx", ["Workbook", "\x05SummaryInformation"])
    assert_refused(path, ".xls", "save it as .xlsx")


def test_an_unknown_ole_file_names_both_causes(tmp_path: Path, no_reader: None) -> None:
    path = ole_file(tmp_path / "BR_2009.xlsx", ["Something"])
    assert_refused(path, "password-protected", ".xls")


def test_a_zip_with_encrypted_members_is_an_error(good: Path, tmp_path: Path) -> None:
    path = tmp_path / "BR_2009.xlsx"
    data = bytearray(good.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:  # set the "encrypted" flag on every central directory entry
        data[at + 8] |= 0x01
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    assert_refused(path, "password-protected")


def test_an_old_xls_file_is_an_error_that_says_save_as_xlsx(tmp_path: Path) -> None:
    year_dir = tmp_path / "2009"
    ole_file(year_dir.mkdir() or year_dir / "BR_2009.xls", ["Workbook"])
    paths, problems = ingest.find_workbooks(year_dir)
    assert paths == []
    assert [(p.severity, p.file) for p in problems] == [("error", "BR_2009.xls")]
    assert "save it as .xlsx" in problems[0].message


def test_a_macro_workbook_is_read_without_running_anything_and_warned(good: Path, tmp_path: Path) -> None:
    parts = read_parts(good)
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 fake VBA project: Sub Auto_Open() Shell(...)"
    path = write_parts(tmp_path / "BR_2009.xlsm", parts)
    workbook, problems = read(path)
    assert workbook is not None
    assert [r for _, r in workbook.tables["kpis"].rows][0]["kpi"] == "Delegates"
    assert [(p.severity, p.file) for p in problems] == [("warning", "BR_2009.xlsm")]
    assert "macros never run" in problems[0].message


def test_macros_inside_a_file_named_xlsx_are_warned_too(good: Path, tmp_path: Path) -> None:
    parts = read_parts(good)
    parts["xl/vbaProject.bin"] = b"fake"
    workbook, problems = read(write_parts(tmp_path / "BR_2009.xlsx", parts))
    assert workbook is not None
    assert ["warning"] == [p.severity for p in problems] and "macros" in problems[0].message


# -- sizes -----------------------------------------------------------------------------------

def test_a_file_above_the_size_limit_is_refused_unread(good: Path, no_reader: None) -> None:
    assert_refused(good, "above the limit", "--max-file-mb", limits=Limits(max_file_bytes=1000))


def test_a_zip_bomb_is_refused_from_its_declared_sizes(good: Path, tmp_path: Path, no_reader: None) -> None:
    """A sheet of 300 MB of cells, compressed to under 1 MB: refused before anything is
    unpacked, at once and with flat memory."""
    path = bomb_workbook(tmp_path / "BR_2009.xlsx", good, 300 << 20, member=KPIS)
    assert path.stat().st_size < 1 << 20
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(KPIS).file_size > 300e6
    tracemalloc.start()
    start = time.perf_counter()
    message = assert_refused(path, "unpack to 315 MB", "--max-unpacked-mb")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 5, elapsed  # generous: it takes about a millisecond
    assert peak < 20e6, peak
    assert "hostile" in message


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused(good: Path, tmp_path: Path,
                                                                  no_reader: None) -> None:
    """The lying header: 300 MB of cells declared as 4 KB. Inflating stops after the declared
    size (plus at most one 1 MB piece)."""
    path = bomb_workbook(tmp_path / "BR_2009.xlsx", good, 300 << 20, declared=4000, member=KPIS)
    tracemalloc.start()
    start = time.perf_counter()
    assert_refused(path, "unpacks to more than the 4000 bytes")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 5, elapsed
    assert peak < 20e6, peak


def test_calamine_too_stops_at_a_lying_header(good: Path, tmp_path: Path) -> None:
    """Measured, so that the scan's own guard is a second line, not the only one."""
    from python_calamine import CalamineWorkbook

    path = bomb_workbook(tmp_path / "BR_2009.xlsx", good, 50 << 20, declared=4000, member=KPIS)
    with pytest.raises(Exception, match="larger than its declared"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("KPIs").to_python()


def test_too_many_parts_is_refused(good: Path, tmp_path: Path) -> None:
    parts = read_parts(good)
    parts.update({f"xl/media/pad{i}.bin": b"" for i in range(50)})
    path = write_parts(tmp_path / "BR_2009.xlsx", parts)
    assert_refused(path, "parts", limits=Limits(max_members=20))


# -- XML that tries to read files or grow --------------------------------------------------

def xxe_workbook(path: Path, secret: Path, where: str) -> Path:
    good_workbook(path)
    parts = read_parts(path)
    dtd = (f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>\n').encode()
    if where == "sheet":
        parts[KPIS] = dtd + parts[KPIS].replace(b"<t>Delegates</t>", b"<t>&e;</t>")
    elif where == "sharedStrings":
        parts[KPIS] = parts[KPIS].replace(b'<c r="B2" t="inlineStr"><is><t>Delegates</t></is></c>',
                                              b'<c r="B2" t="s"><v>0</v></c>')
        add_shared_strings(parts, dtd + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                        b'count="1" uniqueCount="1"><si><t>&e;</t></si></sst>')
    elif where == "laughs":
        laughs = b'<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' \
                 b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        parts[KPIS] = laughs + parts[KPIS].replace(b"<t>Delegates</t>", b"<t>&c;</t>")
    elif where == "workbook":
        parts["xl/workbook.xml"] = dtd + parts["xl/workbook.xml"].replace(b'name="KPIs"', b'name="&e;"')
    assert b"&e;" in b"".join(parts.values()) or b"&c;" in parts[KPIS]
    return write_parts(path, parts)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["sheet", "sharedStrings", "laughs", "workbook"])
def test_xml_with_entity_declarations_is_refused(tmp_path: Path, secret: Path, where: str, no_reader: None) -> None:
    path = xxe_workbook(tmp_path / "BR_2009.xlsx", secret, where)
    assert MARKER not in assert_refused(path, "DOCTYPE")


def test_no_local_file_reaches_the_report_through_an_entity(tmp_path: Path, secret: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A build and a validate over a good return and two returns whose XML declares an
    external entity on a local file: the file's content is nowhere in what they write."""
    inputs = tmp_path / "inputs"
    good_workbook(inputs / "2009" / "BR_2009.xlsx")
    xxe_workbook(inputs / "2009" / "TSB_2009.xlsx", secret, "sheet")
    xxe_workbook(inputs / "2009" / "GS_2009.xlsx", secret, "sharedStrings")
    outputs = tmp_path / "outputs"
    result = build(YEAR, Options(inputs=inputs, outputs=outputs, pdf=False))
    assert result.written
    for path in (outputs / "2009").rglob("*"):
        if path.is_file() and path.suffix != ".xlsx":
            assert MARKER not in path.read_text(encoding="utf-8", errors="replace"), path
    for path in (outputs / "2009").glob("*.xlsx"):  # the data workbook, unzipped
        assert all(MARKER.encode() not in data for data in read_parts(path).values())
    report = json.loads((outputs / "2009" / "report-2009.json").read_text(encoding="utf-8"))
    errors = {p["file"]: p["message"] for p in report["problems"] if p["severity"] == "error"}
    assert "DOCTYPE" in errors["TSB_2009.xlsx"] and "DOCTYPE" in errors["GS_2009.xlsx"]
    assert [k["bureau"] for k in report["kpis"]] == ["BR"]
    for form in ("json", "text"):
        assert main(["validate", "--year", "2009", "--inputs", str(inputs), "--format", form]) == 1
        captured = capsys.readouterr()
        assert MARKER not in captured.out + captured.err
        assert "DOCTYPE" in captured.out


def test_xml_in_utf16_is_refused(good: Path, tmp_path: Path) -> None:
    path = patch(good, KPIS, lambda xml: xml.decode().encode("utf-16"), tmp_path / "BR_2009.xlsx")
    assert_refused(path, "UTF-16")


# -- sheets that would make calamine allocate the world -------------------------------------

@pytest.mark.parametrize("cell", [
    b'<c r="XFD1048576"><v>1</v></c>',
    b"<c r='xfd1048576'><v>1</v></c>",  # calamine reads lower case and single quotes too
    b'<c r = "ZZZZ99"><v>1</v></c>',
], ids=["canonical", "lower-single-quoted", "spaced"])
def test_a_value_far_from_the_data_is_refused_not_allocated(good: Path, tmp_path: Path, cell: bytes,
                                                            no_reader: None) -> None:
    """One value in XFD1048576 makes calamine allocate 17 billion cells: the process aborts
    (measured: 'memory allocation of 549755813888 bytes failed'). The scan refuses the file."""
    path = patch(good, KPIS, lambda xml: xml.replace(b"</sheetData>", b'<row r="3">' + cell + b"</row></sheetData>"),
                 tmp_path / "BR_2009.xlsx")
    assert_refused(path, "sheet 'KPIs'", "Ctrl+End")


def test_cells_without_references_are_counted_as_calamine_places_them(good: Path, tmp_path: Path) -> None:
    """Cells and rows may omit `r`: each then follows the one before, so a long row of them
    widens the area as surely as a far reference does."""
    wide_row = b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>"
    path = patch(good, KPIS, lambda xml: xml.replace(b"</sheetData>", wide_row * 40 + b"</sheetData>"),
                 tmp_path / "BR_2009.xlsx")
    scan = xlsxscan.scan_workbook(path)
    assert (scan.sheets["KPIs"].rows, scan.sheets["KPIs"].columns) == (42, 300)
    assert scan.exact_sheets == ("KPIs",)
    assert_refused(path, "sheet 'KPIs'", limits=Limits(max_sheet_cells=10_000))


# -- the build goes on; --strict fails -------------------------------------------------------

def test_the_build_goes_on_with_the_other_files_and_strict_fails(good: Path, tmp_path: Path, secret: Path) -> None:
    year_dir = tmp_path / "inputs" / "2009"
    year_dir.mkdir(parents=True)
    (year_dir / "BR_2009.xlsx").write_bytes(good.read_bytes())
    (year_dir / "TSB_notes.xlsx").write_text("not a workbook", encoding="utf-8")
    (year_dir / "TSB_random.xlsx").write_bytes(os.urandom(2000))
    (year_dir / "TSB_empty.xlsx").write_bytes(b"")
    (year_dir / "TSB_cut.xlsx").write_bytes(good.read_bytes()[:900])
    ole_file(year_dir / "TSB_locked.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    ole_file(year_dir / "TSB_old.xls", ["Workbook"])
    bomb_workbook(year_dir / "TSB_bomb.xlsx", good, 300 << 20, member=KPIS)
    bomb_workbook(year_dir / "TSB_liar.xlsx", good, 20 << 20, declared=4000, member=KPIS)
    xxe_workbook(year_dir / "TSB_xxe.xlsx", secret, "sheet")
    patch(good, KPIS, lambda xml: xml.replace(b"</sheetData>", b'<row r="9"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
          year_dir / "TSB_far.xlsx")
    bad = sorted(p.name for p in year_dir.iterdir() if p.name != "BR_2009.xlsx")

    outputs = tmp_path / "outputs"
    assert main(["build", "--year", "2009", "--inputs", str(tmp_path / "inputs"), "--outputs", str(outputs),
                 "--no-pdf"]) == 0
    report = json.loads((outputs / "2009" / "report-2009.json").read_text(encoding="utf-8"))
    assert [k["source"]["file"] for k in report["kpis"]] == ["BR_2009.xlsx"]
    by_file: dict[str, list[dict]] = {}
    for problem in report["problems"]:
        by_file.setdefault(problem["file"], []).append(problem)
    for name in bad:  # one error each, for the file as a whole
        assert [(p["severity"], p["sheet"], p["row"]) for p in by_file[name]] == [("error", None, None)], name

    strict_out = tmp_path / "strict"
    assert main(["build", "--year", "2009", "--inputs", str(tmp_path / "inputs"), "--outputs", str(strict_out),
                 "--no-pdf", "--strict"]) == 1
    assert not (strict_out / "2009" / "report-2009.json").exists()


def test_raw_zip_helper_makes_a_readable_workbook(good: Path, tmp_path: Path) -> None:
    """The hand-written zip used for the bombs is itself sound: a member written by it reads."""
    path = write_raw_zip(tmp_path / "BR_2009.xlsx", [raw_member(n, d) for n, d in read_parts(good).items()])
    workbook, problems = read(path)
    assert workbook is not None and problems == []
    assert isinstance(raw_member("x", b"y"), RawMember)


# -- what a careless or hostile week found (issue 16) ------------------------------------------

def _bytes_read() -> int:
    """Bytes this process has read through read() calls so far (Linux /proc/self/io `rchar`)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_a_link_to_a_huge_sparse_file_is_refused_from_its_size_unread(tmp_path: Path) -> None:
    from reportgen.pipeline.build import read_year
    from reportgen.plan.loader import load_plan

    huge = tmp_path / "elsewhere" / "huge.bin"
    huge.parent.mkdir()
    with huge.open("wb") as handle:
        handle.truncate(30 << 30)  # 30 GB, sparse: no disk used
    year_dir = tmp_path / "inputs" / "2009"
    good_workbook(year_dir / "BR_2009.xlsx")
    (year_dir / "TSB_2009.xlsx").symlink_to(huge)
    before = _bytes_read()
    data, paths = read_year(2009, tmp_path / "inputs", load_plan(), Limits())
    assert _bytes_read() - before < 20 << 20  # the 30 GB were never read, not even to hash them
    assert [p.name for p in paths] == ["BR_2009.xlsx"]  # nothing later (manifest, reading) gets it
    (refused,) = [p for p in data.problems if p.file == "TSB_2009.xlsx"]
    assert refused.severity == "error" and "32212.3 MB, above the limit of 26.2 MB" in refused.message
    assert [k.kpi for k in data.kpis] == ["Delegates"]


def test_links_to_nothing_pipes_and_devices_named_xlsx_are_named_not_skipped_silently(tmp_path: Path) -> None:
    year_dir = tmp_path / "2009"
    good_workbook(year_dir / "BR_2009.xlsx")
    (year_dir / "TSB_2009.xlsx").symlink_to(tmp_path / "moved-away.xlsx")
    os.mkfifo(year_dir / "BDT_2009.xlsx")
    (year_dir / "GS_2009.xlsx").symlink_to("/dev/zero")
    (year_dir / "~$BR_2009.xlsx").symlink_to(tmp_path / "gone")  # a lock file: still nothing said
    paths, problems = ingest.find_workbooks(year_dir)
    assert [p.name for p in paths] == ["BR_2009.xlsx"]
    said = {p.file: (p.severity, p.message) for p in problems}
    assert set(said) == {"TSB_2009.xlsx", "BDT_2009.xlsx", "GS_2009.xlsx"}
    assert said["TSB_2009.xlsx"][0] == "warning" and "does not exist" in said["TSB_2009.xlsx"][1]
    assert str(tmp_path / "moved-away.xlsx") in said["TSB_2009.xlsx"][1]
    assert "a named pipe (FIFO), not a file" in said["BDT_2009.xlsx"][1]
    assert "a link to /dev/zero, a character device, not a file" in said["GS_2009.xlsx"][1]
    assert all("skipped" in message and "put the workbook itself" in message for _, message in said.values())


def _careless_inputs(root: Path) -> Path:
    about_rows = about("BR", YEAR)
    about_rows[3] = ["Date", "2010-02-30"]
    write_workbook(root / str(YEAR) / "BR_2009.xlsx", {"About": about_rows, "KPIs": [
        KPI_HEADER,
        ["R-01", "Space_x000B_notices", "per_x000B_year", 100, 120, 130, "higher", "pasted_x000B_from Word"],
        ["R-_x000B_02", "Quoted in an error", None, None, 1, 1, None, None],  # the message quotes it
    ]})
    return root


def test_the_build_goes_on_past_an_impossible_date_and_control_characters(tmp_path: Path) -> None:
    import openpyxl

    inputs = _careless_inputs(tmp_path / "inputs")
    outputs = tmp_path / "outputs"
    assert main(["build", "--year", "2009", "--inputs", str(inputs), "--outputs", str(outputs), "--no-pdf"]) == 0
    data = openpyxl.load_workbook(outputs / "2009" / "data-2009.xlsx", read_only=True)
    rows = list(data["KPIs"].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1]))
    assert (first["kpi"], first["unit"], first["comment"]) == ("Space notices", "per year", "pasted from Word")
    report = json.loads((outputs / "2009" / "report-2009.json").read_text(encoding="utf-8"))
    said = {(p["sheet"], p["row"], p["column"]) for p in report["problems"] if p["file"] == "BR_2009.xlsx"}
    assert {("About", 4, "Date"), ("KPIs", 2, "KPI"), ("KPIs", 2, "Unit"), ("KPIs", 2, "Comment"),
            ("KPIs", 3, "Output")} <= said


def test_the_feedback_copy_is_written_whatever_the_cells_hold(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import openpyxl

    inputs = _careless_inputs(tmp_path / "inputs")
    assert main(["validate", "--year", "2009", "--inputs", str(inputs), "--feedback", str(tmp_path / "back")]) == 1
    problems = openpyxl.load_workbook(tmp_path / "back" / "BR_2009-feedback.xlsx")["Problems"]
    messages = [row[5] for row in problems.iter_rows(min_row=5, values_only=True)]
    assert any("Output 'R- 02' is not an output of the plan" in m for m in messages)
    assert any("which is not a date" in m for m in messages)
    assert "Traceback" not in capsys.readouterr().err


def test_an_unbroken_name_and_a_10000_character_text_stay_in_their_cells_on_the_page(tmp_path: Path) -> None:
    """Read back from the real PDF: the name breaks inside its column, left of the Unit beside
    it, and a 10,000-character comment, cut to what a page can hold, stays on the page."""
    import re
    import subprocess

    name = ("Spectrummonitoringcampaigns" * 4)[:80]
    inputs = tmp_path / "inputs"
    write_workbook(inputs / "2009" / "BR_2009.xlsx", {"About": about("BR", YEAR), "KPIs": [
        KPI_HEADER, ["R-01", name, "UNITMARK", 100, 120, 130, None, "y" * 10_000]]})
    outputs = tmp_path / "outputs"
    assert main(["build", "--year", "2009", "--inputs", str(inputs), "--outputs", str(outputs)]) == 0
    bbox = subprocess.run(["pdftotext", "-bbox", str(outputs / "2009" / "report-2009.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    words = [(float(x0), float(x1), text) for x0, x1, text in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox)]
    (unit_left,) = [x0 for x0, _, text in words if text == "UNITMARK"]
    pieces = [(x0, x1, text) for x0, x1, text in words if len(text) > 3 and text in name]
    assert "".join(text for _, _, text in pieces) == name  # all of it, on several lines
    assert all(x1 <= unit_left for _, x1, _ in pieces)
    comment = [(x0, x1) for x0, x1, text in words if set(text) == {"y"}]
    assert comment and all(x1 <= page_width for _, x1 in comment)
    assert sum(len(text) for _, _, text in words if set(text) == {"y"}) <= 1_500
