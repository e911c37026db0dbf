"""reportgen as a user installs it: a wheel built from the repository, installed with its
dependencies into a new virtual environment (no system site-packages, no checkout on the path),
run from a folder outside the repository. The templates (top-level `templates/`, shipped as
`reportgen/templates`), the gettext catalogues, the plan files and the Member States' list must
travel in the wheel: without them a French build quietly comes out in English.

The environment is made once for this module: `python -m venv --without-pip`, then this
interpreter's pip installs the wheel into it (`pip --python`), its dependencies held to the
versions of requirements.txt (as constraints: only what the wheel declares gets installed)."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
FRENCH_CATALOGUE = ROOT / "reportgen" / "i18n" / "locale" / "fr" / "LC_MESSAGES" / "reportgen.po"
FRENCH_PLAN = ROOT / "reportgen" / "plan" / "plans" / "itu-2008-2011.fr.yaml"
# Files that ship with the package (besides its modules), as they lie in the repository, and
# where each set lands in the wheel.
SHIPPED = {
    "templates": "reportgen/templates",
    "reportgen/i18n/locale": "reportgen/i18n/locale",
    "reportgen/plan/plans": "reportgen/plan/plans",
    "reportgen/publish/data": "reportgen/publish/data",
}
# What a build from a checkout leaves behind or a developer keeps locally: not sources.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     "node_modules", ".pytest_cache", "outputs", ".data", "results")


def run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess:
    """Run `command`; on failure, the assertion shows what it printed."""
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (f"{' '.join(map(str, command))} exited {done.returncode}:\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def outside_environment() -> dict[str, str]:
    """This process's environment without anything that would put the checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the repository: setuptools writes build/ and *.egg-info
    where it builds, and a stale build/ left in a checkout can slip deleted files into a wheel."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
         "--quiet", "--wheel-dir", folder / "dist", source])
    (built,) = (folder / "dist").glob("reportgen-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel and its dependencies; its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--disable-pip-version-check", "--quiet",
         "--no-compile", "--constraint", ROOT / "requirements.txt", wheel], env=outside_environment())
    return venv / "bin"


@pytest.fixture(scope="module")
def french_build(installed: Path, tmp_path_factory) -> Path:
    """`reportgen build --lang en,fr` of the 2009 samples (the English page is the French one's
    yardstick), run by the installed command from a folder outside the repository; the folder
    of the outputs."""
    work = tmp_path_factory.mktemp("elsewhere")
    run([installed / "reportgen", "build", "--year", "2009", "--lang", "en,fr", "--no-pdf",
         "--inputs", ROOT / "inputs", "--outputs", work / "outputs"], cwd=work, env=outside_environment())
    return work / "outputs" / "2009"


class PageText(HTMLParser):
    """The `lang` of <html>, the texts of the headings h1-h3 and the whole text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang, self.headings, self.text = None, [], []
        self._heading: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        elif tag in {"h1", "h2", "h3"}:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2", "h3"} and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_the_templates_catalogues_plans_and_data(wheel: Path) -> None:
    files = wheel_files(wheel)
    for source, target in SHIPPED.items():
        expected = {f"{target}/{path.relative_to(ROOT / source).as_posix()}"
                    for path in (ROOT / source).rglob("*") if path.is_file() and "__pycache__" not in path.parts}
        assert expected, f"nothing in {source}"
        assert expected <= files, f"missing from the wheel: {sorted(expected - files)}"


def test_the_wheel_pins_the_weasyprint_that_svgtext_patches(wheel: Path) -> None:
    from reportgen.render import svgtext

    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(name))
    (weasyprint,) = [r.replace(" ", "") for r in metadata.get_all("Requires-Dist") if r.startswith("weasyprint")]
    assert weasyprint.startswith("weasyprint=="), f"WeasyPrint must be pinned exactly, not {weasyprint}"
    assert weasyprint.removeprefix("weasyprint==").startswith(svgtext.SUPPORTED_SERIES)
    assert f"{weasyprint}\n" in (ROOT / "requirements.txt").read_text(encoding="utf-8")


def test_the_installed_package_reads_its_own_files(installed: Path, tmp_path) -> None:
    code = ("from reportgen import resources as r\n"
            "print(r.TEMPLATES_DIR, r.LOCALE_DIR, r.PLANS_DIR, r.MEMBER_STATES_FILE, sep='\\n')")
    done = run([installed / "python", "-c", code], cwd=tmp_path, env=outside_environment())
    venv = installed.parent.resolve()
    for line in done.stdout.splitlines():
        path = Path(line).resolve()
        assert path.is_relative_to(venv), f"{path} is read from outside the installed package"
        assert path.exists(), f"{path} is not in the installed package"


def test_a_french_build_from_the_installed_wheel_is_french(french_build: Path) -> None:
    english = PageText((french_build / "report-2009.html").read_text(encoding="utf-8"))
    french = PageText((french_build / "report-2009-fr.html").read_text(encoding="utf-8"))
    assert french.lang == "fr"
    assert len(french.headings) == len(english.headings)

    # Every heading the catalogue translates is the French one (the templates and the
    # catalogue both came from the wheel).
    catalogue = {m.id: m.string for m in read_po(FRENCH_CATALOGUE.open("rb"), locale="fr")
                 if isinstance(m.id, str) and m.id and m.string}
    translated = [(heading, catalogue[heading]) for heading in english.headings if heading in catalogue]
    assert len(translated) >= 3, f"too few headings from the catalogue to tell: {english.headings}"
    for heading, french_heading in translated:
        assert french_heading in french.headings, f"{heading!r} is not {french_heading!r} in the French report"
        assert heading not in french.headings

    # The plan's texts come in French from the plan's French file.
    plan = yaml.safe_load(FRENCH_PLAN.read_text(encoding="utf-8"))
    text = " ".join("".join(french.text).split())
    assert plan["title"] in text
    assert all(goal["title"] in text for goal in plan["goals"].values())
