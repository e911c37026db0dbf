"""Commands for publication: `approve`, `distribute`."""

from __future__ import annotations

from typing import Any


def add_parsers(commands: Any) -> None:
    from reportgen.publish import approval

    approval.register(commands)  # moving here: the domain module keeps no argparse code
    from reportgen.publish import distribute

    distribute.register(commands)  # moving here: the domain module keeps no argparse code
