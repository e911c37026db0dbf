"""Commands for the languages: `i18n check`, `i18n extract`."""

from __future__ import annotations

from typing import Any


def add_parsers(commands: Any) -> None:
    from reportgen.i18n import catalogues

    catalogues.register(commands)  # moving here: the domain module keeps no argparse code
