"""The one error hierarchy. Errors a user can cause say what went wrong and how to fix it;
the CLI turns them into a one-line message and an exit code, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class ReportgenError(Exception):
    """Base of every error a user can cause."""


class PlanError(ReportgenError):
    """The plan data file is malformed or inconsistent."""


class InputError(ReportgenError):
    """The inputs cannot be used at all (no folder, no readable workbook)."""


class BuildError(ReportgenError):
    """The report could not be produced (a missing system library, an unwritable folder)."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem of a configuration file (plan, rules, report settings): where it is, what is
    wrong and how to fix it. Shown as `file:line: message (fix)`."""

    file: str
    line: int | None  # 1-based, as an editor shows it; None when the whole file is at fault
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}" + (f" ({self.fix})" if self.fix else "")


class ConfigError(ReportgenError):
    """Configuration files with problems: every problem found, each with its file and line, so
    that one run shows them all (as mkdocs does). One problem reads as one line."""

    def __init__(self, problems: list[ConfigProblem] | tuple[ConfigProblem, ...], headline: str = "") -> None:
        self.problems = tuple(problems)
        self.headline = headline
        super().__init__(self._message())

    def __reduce__(self) -> tuple:  # pickled whole (a worker may raise it), not as its text
        return (type(self), (self.problems, self.headline))

    def _message(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            return f"{self.headline}: {lines[0]}" if self.headline else lines[0]
        headline = self.headline or f"{len(lines)} problems in the configuration files; nothing was built"
        return headline + ":\n" + "\n".join(f"  {line}" for line in lines)


class PlanFileError(ConfigError, PlanError):
    """The plan file's problems, each with its line: a ConfigError that callers expecting a
    PlanError also catch."""


class ProblemCollector:
    """Gathers the problems of several configuration files, so that they are reported together:
    `attempt(load, default)` runs one loader and keeps what its ConfigError names."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def attempt(self, load, default):  # type: ignore[no-untyped-def]
        try:
            return load()
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return default
