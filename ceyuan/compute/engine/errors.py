"""Errors raised by the compute engine for bad input.

Every error about a file names the file, and where known the line and the field, so that a
person can fix the input without reading the engine's code.
"""

from __future__ import annotations


class InputError(ValueError):
    """A trace, catalogue or federation file (or an in-memory value) is malformed."""

    def __init__(
        self,
        source: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"
