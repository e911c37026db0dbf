"""The one error hierarchy. Errors a user can cause say what went wrong and how to fix it;
the CLI turns them into a one-line message and an exit code, never a traceback."""


class ReportgenError(Exception):
    """Base of every error a user can cause."""


class PlanError(ReportgenError):
    """The plan data file is malformed or inconsistent."""


class InputError(ReportgenError):
    """The inputs cannot be used at all (no folder, no readable workbook)."""


class BuildError(ReportgenError):
    """The report could not be produced (a missing system library, an unwritable folder)."""
