"""How long a translator's round trip of the Bureaux' texts takes for the sample returns.

    .venv/bin/python bench/translation_roundtrip.py [--lang ar] [--runs 3]

In a scratch copy of inputs/2008 and inputs/2009 with no translation memory, for one language:
export 2008, "translate" (the msgstr filled from the committed inputs/translations/<lang>.po,
standing in for the translator; not timed), import; then the same for 2009, whose export finds
the 2008 translations already in the memory; then `build --lang <lang>` with and without PDF.
Every command runs as a fresh process, as a user runs it; the table gives the median wall clock
of `--runs` runs, the units and the words left to translate.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTGEN = ROOT / ".venv" / "bin" / "reportgen"
sys.path.insert(0, str(ROOT))

from reportgen.i18n.memory import load_memory  # noqa: E402
from reportgen.i18n.pofile import PoFile, read_po, write_po  # noqa: E402


def run(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([str(REPORTGEN), *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return seconds, done.stdout + done.stderr


def translate(exported: Path, done: Path, lang: str) -> None:
    """The translator's part, simulated: every msgstr from the committed memory."""
    memory = load_memory(ROOT / "inputs", lang)
    po = read_po(exported)
    entries = tuple(replace(e, target=memory.get(str(e.context), e.source) or e.target, flags=frozenset())
                    for e in po.entries)
    write_po(done, PoFile(po.header, entries, po.header_notes))


def one_round(lang: str, scratch: Path) -> dict[str, float | str]:
    inputs = scratch / "inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    for name in ("2008", "2009"):
        shutil.copytree(ROOT / "inputs" / name, inputs / name)
    shutil.copy(ROOT / "inputs" / "report.yaml", inputs / "report.yaml")
    result: dict[str, float | str] = {}
    for year in (2008, 2009):
        exported, done = scratch / f"returns-{year}-{lang}.po", scratch / f"returns-{year}-{lang}.done.po"
        result[f"export {year}"], said = run("i18n", "export", "--year", str(year), "--lang", lang,
                                             "--inputs", str(inputs), "--out", str(exported))
        result[f"export {year} says"] = re.sub(r"^reportgen: wrote \S+: ", "", said.strip())
        translate(exported, done, lang)
        result[f"import {year}"], _ = run("i18n", "import", str(done), "--inputs", str(inputs))
    result["build --no-pdf"], _ = run("build", "--year", "2009", "--inputs", str(inputs), "--outputs",
                                      str(scratch / "out-html"), "--lang", lang, "--no-pdf", "--force")
    result["build (with PDF)"], said = run("build", "--year", "2009", "--inputs", str(inputs), "--outputs",
                                           str(scratch / "out-pdf"), "--lang", lang, "--force")
    result["build says"] = said.strip().splitlines()[-1]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ar")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="reportgen-roundtrip-") as folder:
        for _ in range(args.runs):
            rounds.append(one_round(args.lang, Path(folder)))
    print(f"| step ({args.lang}, median of {args.runs}) | seconds |")
    print("|---|---|")
    for key, value in rounds[0].items():
        if isinstance(value, float):
            print(f"| {key} | {statistics.median(r[key] for r in rounds):.2f} |")  # type: ignore[misc]
    for key, value in rounds[0].items():
        if isinstance(value, str):
            print(f"- {key}: {value}")


if __name__ == "__main__":
    main()
