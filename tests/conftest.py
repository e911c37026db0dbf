"""Shared fixtures: the 2009 sample report, built once per test session."""

import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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
