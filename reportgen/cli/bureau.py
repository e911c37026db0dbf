"""Commands for the Bureaux' side: `template`."""

from __future__ import annotations

from typing import Any


def add_parsers(commands: Any) -> None:
    from reportgen.bureau import template

    template.register(commands)  # moving here: the domain module keeps no argparse code
