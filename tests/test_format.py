"""reportgen/format.py is the one statement of the workbook format: the template, the validator,
the data workbook, the report's JSON, the test helpers and the sample generator all read it, so
that adding a column is one edit there (issue 11, item 1)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import openpyxl

from reportgen import format
from reportgen.bureau.template import build_template
from reportgen.format import STATUSES, ColumnType, Severity, Status
from reportgen.pipeline import validate
from reportgen.plan.loader import load_plan
from reportgen.render.dataworkbook import _sheets
from workbooks import KPI_HEADER

ROOT = Path(__file__).resolve().parents[1]
PLAN = load_plan()


def test_statuses_and_severities_are_enums_equal_to_the_contract_words() -> None:
    assert [str(s) for s in STATUSES] == ["achieved", "partially achieved", "not achieved", "not reported"]
    assert Status.NOT_ACHIEVED == "not achieved" and Severity.ERROR == "error"
    assert json.dumps({Status.ACHIEVED: Severity.WARNING}) == '{"achieved": "warning"}'
    from reportgen import model
    assert model.STATUSES is format.STATUSES


def test_every_sheet_of_the_contract_is_declared_with_its_columns() -> None:
    assert format.SHEET_NAMES == ("About", "KPIs", "Finance", "Proposals", "Highlights", "Financial situation")
    assert format.FINANCIAL_SITUATION.bureaux == ("GS",)  # the General Secretariat's own sheet
    assert format.KPIS.headers(1) == ("Output", "KPI", "Unit", "Baseline", "Target", "Actual",
                                      "Direction", "Comment")
    assert format.KPIS.headers() == format.KPIS.headers(1) + ("Objective",)  # contract 8.1
    assert format.PROPOSALS.headers() == ("Source", "Refers to", "Proposal", "Ref")  # contract 8.2
    assert [c.header for c in format.KPIS.required_columns] == ["Output", "KPI", "Target"]
    direction = format.KPIS.column("Direction")
    assert (direction.type, direction.choices, direction.default) == (ColumnType.CHOICE, ("higher", "lower"), "higher")
    assert format.ABOUT.column("Data status").choices == ("final", "draft", "illustrative")
    assert format.KPIS.column("objective") is format.KPIS.column("objectives")  # by header key or field
    assert all(c.help for sheet in format.SHEETS for c in sheet.columns)


def test_the_template_validator_data_workbook_and_test_helpers_take_their_columns_from_the_format() -> None:
    book = build_template(PLAN, 2010, PLAN.sector("INT"))  # the General Secretariat's has every sheet
    for spec in format.DATA_SHEETS:
        sheet = book[spec.name]
        headers = tuple(c.value for c in sheet[1] if c.value is not None)
        assert headers == spec.headers(template=True), spec.name
        assert sheet["A1"].comment.text == spec.columns[0].help
        assert validate.SHEET_COLUMNS[spec.key] == {c.key: c.header for c in spec.columns}
        assert validate.REQUIRED[spec.key] == tuple(c.key for c in spec.required_columns)
    about_keys = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about_keys == list(format.ABOUT.headers(template=True))
    assert validate.KNOWN_SHEETS == format.SHEET_NAMES
    sheets = _sheets(defaultdict(list))  # a report with nothing in it: the header rows only
    assert set(format.KPIS.fields) <= set(sheets["KPIs"][0])
    assert sheets["Finance"][0][:3] == list(format.FINANCE.fields)
    assert KPI_HEADER == list(format.KPIS.headers())


ONE_EDIT = '''    Column("Weight", ColumnType.NUMBER, "weight", width=9, help="Optional. How much the KPI counts."),
'''

CHECK = textwrap.dedent('''
    import json, sys
    from collections import defaultdict
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])  # the copy of the package with the edited format.py
    sys.path.insert(1, sys.argv[2])  # tests/, for the test helpers
    from reportgen import format
    assert format.__file__.startswith(sys.argv[1]), format.__file__
    from reportgen.bureau.template import build_template
    from reportgen.pipeline.build import read_year
    from reportgen.pipeline.ingest import Limits
    from reportgen.plan.loader import load_plan
    from reportgen.render.dataworkbook import _sheets
    from workbooks import KPI_HEADER, about, write_workbook

    plan = load_plan()
    book = build_template(plan, 2010, plan.sector("R"))
    kpis = book["KPIs"]
    headers = [c.value for c in kpis[1]]
    letter = "ABCDEFGHIJ"[headers.index("Weight")]
    checks = [dv.type for dv in kpis.data_validations.dataValidation if f"{letter}2" in dv.sqref]
    inputs = Path(sys.argv[3])
    write_workbook(inputs / "2009" / "BR_2009.xlsx", {"About": about("BR", 2009), "KPIs": [
        KPI_HEADER, ["R-01", "Delegates", None, None, 10, 10, None, None, 3]]})
    data, _ = read_year(2009, inputs, plan, Limits())
    print(json.dumps({"headers": headers, "note": kpis[f"{letter}1"].comment.text, "checks": checks,
                      "helper": KPI_HEADER, "problems": [p.line() for p in data.problems],
                      "kpis": len(data.kpis), "data_workbook": _sheets(defaultdict(list))["KPIs"][0]}))
''')


def test_adding_a_column_is_one_edit_in_format_py(tmp_path: Path) -> None:
    """Copy the package, add one line to the KPIs sheet of format.py, and every consumer has it:
    the template (header, note, number check), the validator (a known column: no warning), the
    test helpers' header and the data workbook's columns."""
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "reportgen", package / "reportgen", ignore=shutil.ignore_patterns("__pycache__"))
    source = package / "reportgen" / "format.py"
    text = source.read_text(encoding="utf-8")
    anchor = '    Column("Objective", '
    assert text.count(anchor) == 1
    source.write_text(text.replace(anchor, ONE_EDIT + anchor), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", CHECK, str(package), str(ROOT / "tests"), str(tmp_path / "inputs")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["headers"][-2:] == ["Weight", "Objective"]
    assert found["note"] == "Optional. How much the KPI counts."
    assert found["checks"] == ["decimal"]
    assert "Weight" in found["helper"]
    assert found["kpis"] == 1
    assert not [line for line in found["problems"] if "BR_2009.xlsx" in line], found["problems"]
    assert "weight" in found["data_workbook"]
