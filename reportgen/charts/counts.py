"""Shares of KPI status counts, as the status chart and the goals matrix show them."""

from __future__ import annotations

from reportgen.model import StatusCounts


def reported(counts: StatusCounts) -> int:
    """How many KPIs of `counts` were reported (every status but "not reported")."""
    return sum(counts.values()) - counts.get("not reported", 0)


def share(part: int, whole: int) -> float | None:
    """`part` / `whole`, or None when there is no whole."""
    return part / whole if whole else None
