"""A rebuild with nothing changed reuses the outputs; any change to what a build reads, or to
the outputs themselves, makes a full build."""

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from reportgen.pipeline import cache
from reportgen.pipeline.build import BuildResult, Options

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2009


@pytest.fixture()
def inputs(tmp_path) -> Path:
    folder = tmp_path / "inputs"
    for year in ("2008", "2009"):
        shutil.copytree(ROOT / "inputs" / year, folder / year)
    return folder


def options_for(inputs: Path, **changes) -> Options:
    # No PDF: the cache does not care which outputs there are, and the tests stay fast.
    return Options(inputs=inputs, outputs=inputs.parent / "outputs", pdf=False, **changes)


def report_json(options: Options) -> dict:
    return json.loads((options.outputs / str(YEAR) / f"report-{YEAR}.json").read_text(encoding="utf-8"))


def set_cell(path: Path, sheet: str, cell: str, value) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)


def test_nothing_changed_reuses_the_outputs_and_a_changed_cell_is_rebuilt(inputs):
    options = options_for(inputs)
    first = cache.build_or_reuse(YEAR, options)
    assert isinstance(first, BuildResult) and first.written

    again = cache.build_or_reuse(YEAR, options)
    assert isinstance(again, cache.CachedBuild)
    assert again.summary == {"kpis": len(first.model.kpis), "errors": first.errors,
                             "warnings": sum(p.severity == "warning" for p in first.model.problems)}
    assert {p.name for p in again.outputs} >= {f"report-{YEAR}.html", f"report-{YEAR}.json", "manifest.json"}

    # One cell of one workbook: the Actual (column F) of the first KPI row of the BR return.
    set_cell(inputs / "2009" / "BR_2009.xlsx", "KPIs", "F4", 4321)
    rebuilt = cache.build_or_reuse(YEAR, options)
    assert isinstance(rebuilt, BuildResult)
    row = [k for k in report_json(options)["kpis"]
           if k["source"]["file"] == "BR_2009.xlsx" and k["source"]["row"] == 4]
    assert [k["actual"] for k in row] == [4321]
    assert isinstance(cache.build_or_reuse(YEAR, options), cache.CachedBuild)


def test_an_edited_or_deleted_output_is_built_again(inputs):
    options = options_for(inputs)
    first_result = cache.build_or_reuse(YEAR, options)
    html = options.outputs / str(YEAR) / f"report-{YEAR}.html"
    original = html.read_bytes()
    html.write_bytes(original.replace(b"</body>", b"<p>edited by hand</p></body>"))

    assert isinstance(cache.build_or_reuse(YEAR, options), BuildResult)
    assert html.read_bytes() == original  # built again, not served as edited

    out_dir = options.outputs / str(YEAR)
    key = cache.key_for(YEAR, options)
    assert cache.cached_outputs(out_dir, key) is not None
    (out_dir / f"report-{YEAR}.json").unlink()
    assert cache.cached_outputs(out_dir, key) is None

    # --force builds whatever the outputs are.
    calls = []
    cache.build_or_reuse(YEAR, options, force=True, build=lambda *args: calls.append(args) or first_result)
    assert calls == [(YEAR, options)]


def test_a_strict_build_that_writes_nothing_stores_no_key(inputs):
    # The samples have row errors: with --strict nothing is written, so nothing may be reused.
    options = options_for(inputs, strict=True)
    result = cache.build_or_reuse(YEAR, options)
    assert isinstance(result, BuildResult) and result.written == () and result.errors
    assert not (options.outputs / str(YEAR) / cache.KEY_FILE).exists()
    assert isinstance(cache.build_or_reuse(YEAR, options), BuildResult)


def test_a_manifest_written_by_another_build_is_not_trusted(tmp_path):
    out = tmp_path / "2009"
    out.mkdir()
    (out / "report.html").write_bytes(b"A")
    manifest = {"outputs": [{"path": "report.html", "size": 1,
                             "sha256": hashlib.sha256(b"A").hexdigest()}]}
    (out / "manifest.json").write_text(json.dumps(manifest))
    cache.store_key(out, "key-A")
    assert cache.cached_outputs(out, "key-A") is not None
    assert cache.cached_outputs(out, "key-B") is None
    # Another build rewrote output and manifest, then stopped before storing its key:
    (out / "report.html").write_bytes(b"B")
    manifest["outputs"][0]["sha256"] = hashlib.sha256(b"B").hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert cache.cached_outputs(out, "key-A") is None
    cache.invalidate(out)
    assert cache.cached_outputs(out, "key-A") is None


def test_the_key_covers_inputs_earlier_years_templates_plan_and_options(inputs, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    base = options_for(inputs)

    def key(options=base) -> str:
        return cache.key_for(YEAR, options, templates_dir=templates)

    before = key()
    assert key() == before  # stable
    # Files that are never read do not count; where the report goes does not either.
    (inputs / "2009" / "~$BR_2009.xlsx").write_bytes(b"lock")
    (inputs / "2009" / ".DS_Store").write_bytes(b"finder")
    (inputs / "2010").mkdir()
    (inputs / "2010" / "BR_2010.xlsx").write_bytes(b"a later year")
    assert key(dataclasses.replace(base, outputs=tmp_path / "elsewhere")) == before
    assert key() == before

    changes = []
    (inputs / "report.yaml").write_text("document_number: C10/35\n")  # document settings
    changes.append(key())
    (inputs / "2008" / "BR_2008.xlsx").write_bytes(b"changed")  # an earlier year feeds history
    changes.append(key())
    (inputs / "2009" / "notes.txt").write_text("a stray file is a warning in the report")
    changes.append(key())
    (inputs / "2009" / "TSB_2009.xlsx").rename(inputs / "2009" / "TSB-returns.xlsx")
    changes.append(key())
    (templates / "report.css").write_text("/* changed */", encoding="utf-8")
    changes.append(key())
    plan = tmp_path / "plan.yaml"
    plan.write_text("id: one\n")
    changes.append(key(dataclasses.replace(base, plan_file=plan)))
    plan.write_text("id: two\n")
    changes.append(key(dataclasses.replace(base, plan_file=plan)))
    changes.append(key(dataclasses.replace(base, pdf_variant="pdf/a-3b")))
    changes.append(key(dataclasses.replace(base, strict=True)))
    assert len({before, *changes}) == len(changes) + 1
