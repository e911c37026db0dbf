"""Shared fixtures (the 2009 sample report, built once per test session), the `needs_tool` mark
and the `--update-snapshot` option (see tests/test_snapshot.py and `make snapshot`).

A test that needs a program marks itself `@pytest.mark.needs_tool("pdftoppm")` (or sets it as
the module's `pytestmark`): when the program is missing the test fails, never skips, with the
command that installs it. .ci/run installs all of them."""

import json
import os
import pathlib
import shutil
import sys

os.environ.setdefault("OPENPYXL_LXML", "False")  # as reportgen/__init__.py: the same bytes, lxml or not

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# How to install each program a test may need (Debian package names, as in .ci/run).
INSTALL_TOOL = {
    "pdftoppm": "apt-get install poppler-utils",
    "pdftotext": "apt-get install poppler-utils",
    "pdffonts": "apt-get install poppler-utils",
    "openssl": "apt-get install openssl",
    "fc-list": "apt-get install fontconfig",
    "node": "apt-get install nodejs",
    "npm": "apt-get install npm",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshot", action="store_true",
                     help="write the document's current text as the reviewed snapshot (make snapshot)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_tool(*names): the programs the test runs; a missing one fails "
                                       "the test with how to install it")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs_tool"):
        missing = [name for name in mark.args if shutil.which(name) is None]
        if missing:
            how = "; ".join(f"{name}: {INSTALL_TOOL.get(name, 'install it')}" for name in missing)
            pytest.fail(f"{', '.join(missing)} not found on PATH, which this test needs ({how})", pytrace=False)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The 2009 sample report built through the command line, with its outputs read back."""
    from pypdf import PdfReader

    from reportgen.cli import main

    outputs = tmp_path_factory.mktemp("outputs")
    assert main(["build", "--year", "2009", "--inputs", str(ROOT / "inputs"), "--outputs", str(outputs)]) == 0
    folder = outputs / "2009"
    reader = PdfReader(folder / "report-2009.pdf")
    return {
        "folder": folder,
        "json": json.loads((folder / "report-2009.json").read_text(encoding="utf-8")),
        "html": (folder / "report-2009.html").read_text(encoding="utf-8"),
        "pdf": reader,
        "pages": [page.extract_text() for page in reader.pages],
        "pdf_text": "\n".join(page.extract_text() for page in reader.pages),
    }


@pytest.fixture(scope="session")
def six_languages(tmp_path_factory):
    """The 2009 sample report built once in all six languages (`--lang all`): its year folder."""
    from reportgen.cli import main

    outputs = tmp_path_factory.mktemp("languages")
    assert main(["build", "--year", "2009", "--inputs", str(ROOT / "inputs"), "--outputs", str(outputs),
                 "--lang", "all"]) == 0
    return outputs / "2009"
