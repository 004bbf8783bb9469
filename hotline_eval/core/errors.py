"""One exception family. Every error names where the problem is and what to do about it."""

from __future__ import annotations

from pathlib import Path


class HotlineEvalError(Exception):
    """Base class: a problem the user can fix. The CLI prints it without a traceback."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  How to fix: {self.fix}"


class ConfigError(HotlineEvalError):
    """A params file (YAML) is missing, malformed or refers to something unknown."""

    def __init__(self, file: Path | str, key: str | None, problem: str, *, fix: str | None = None):
        where = f"{file}" + (f", key '{key}'" if key else "")
        super().__init__(f"{where}: {problem}", fix=fix)
        self.file = str(file)
        self.key = key


class InputError(HotlineEvalError):
    """An input data file cannot be read as a whole (encoding, missing columns, empty file)."""

    def __init__(
        self,
        file: Path | str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        parts = [str(file)]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column '{column}'")
        super().__init__(f"{', '.join(parts)}: {problem}", fix=fix)
        self.file = str(file)
        self.row = row
        self.column = column


class InputErrors(InputError):
    """Several input files cannot be read: all are listed, so that one round of fixes suffices."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        lines = [f"{len(self.errors)} input files cannot be read:"]
        for n, err in enumerate(self.errors, start=1):
            lines.append(f"  {n}. {err.message}" + (f"\n     How to fix: {err.fix}" if err.fix else ""))
        HotlineEvalError.__init__(self, "\n".join(lines))
        self.file = self.errors[0].file if self.errors else ""
        self.row = None
        self.column = None


class UnknownNameError(HotlineEvalError):
    """A user-supplied name (city, evaluation, indicator) is not one of the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        shown = ", ".join(valid) if valid else "(none)"
        super().__init__(f"unknown {kind} '{name}'. Valid {kind} ids: {shown}")
        self.kind = kind
        self.name = name
        self.valid = valid


class PeriodError(HotlineEvalError):
    """The data do not cover the period the evaluation type requires (§5.1.1.3, §5.1.2.3)."""


class RenderError(HotlineEvalError):
    """A report could not be executed or rendered."""
