"""THE statement of the workbook format (contract sections 2 and 8): statuses and severities.

Every module that reads, checks, writes or describes a return reads its sheets, columns, types
and drop-down values from here.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A KPI's status (contract section 3), in the order the report lists them."""

    ACHIEVED = "achieved"
    PARTIALLY_ACHIEVED = "partially achieved"
    NOT_ACHIEVED = "not achieved"
    NOT_REPORTED = "not reported"


class Severity(StrEnum):
    """A problem's severity: an error leaves its row out of the figures, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


STATUSES: tuple[Status, ...] = tuple(Status)
