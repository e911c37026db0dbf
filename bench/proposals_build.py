"""`reportgen build` with the proposals for other people's modules, for measuring them:

    .venv/bin/python bench/proposals_build.py [--proposals] build --year 2009 [any reportgen build option]

runs the command line (`reportgen.cli.main`) exactly as `.venv/bin/reportgen` does; with
`--proposals`, first (in this process only) ingest reads with python-calamine directly
(bench/proto_ingest.py) and every PDF worker shapes SVG text as whole runs
(bench/svg_text_shim.py, registered with `parallel.on_pdf_worker_start`, so WeasyPrint is still
imported in the workers only). Nothing is copied from build.py, so it follows its changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--proposals"]:
        argv = argv[1:]
        import proto_ingest
        import svg_text_shim

        from reportgen import parallel

        proto_ingest.use_direct_reader()
        parallel.on_pdf_worker_start(svg_text_shim.install)
    from reportgen.cli import main as reportgen

    return reportgen(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
