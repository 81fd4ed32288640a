"""What an import did, and every row it refused, with file, line, column,
value and reason."""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RowError:
    file: str
    line: int  # 0 for an error about the whole file
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        column = f" [{self.column}]" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        return f"{where}{column}{value}: {self.reason}"


class Rejected(ValueError):
    """One row cannot be imported; raised by the row parsers."""

    def __init__(self, column: str, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = "" if value is None else value[:200]
        self.reason = reason


@dataclass
class ImportReport:
    source: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def rejected_rows(self) -> int:
        return len({(error.file, error.line) for error in self.errors})

    def reject(self, file: str, line: int, column: str, value: str | None, reason: str) -> None:
        self.errors.append(
            RowError(file, line, column, "" if value is None else value[:200], reason)
        )

    def write_csv(self, path: Path) -> Path:
        """The report file: one line per refused value."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "line", "column", "value", "reason"])
            for error in self.errors:
                writer.writerow([error.file, error.line, error.column, error.value, error.reason])
        return path

    def summary_lines(self, shown: int = 20) -> list[str]:
        lines = [
            f"Read {self.rows_read:,} rows from {len(self.files)} file(s) in {self.seconds:.1f} s."
        ]
        if self.errors:
            lines.append(
                f"Refused {self.rejected_rows:,} row(s) ({len(self.errors):,} problem(s)):"
            )
            lines.extend(f"  {error}" for error in self.errors[:shown])
            if len(self.errors) > shown:
                lines.append(f"  … and {len(self.errors) - shown:,} more in the report file.")
        for label, counts in (("Created", self.created), ("Updated", self.updated)):
            done = {kind: n for kind, n in sorted(counts.items()) if n}
            if done:
                lines.append(f"{label}: " + ", ".join(f"{n:,} {kind}" for kind, n in done.items()))
        if self.committed and not any(self.created.values()) and not any(self.updated.values()):
            lines.append("Nothing new: every row was already imported as it is.")
        lines.extend(self.notes)
        if self.errors and not self.committed:
            lines.append("Nothing was committed: fix the rows above, or use --skip-invalid.")
        elif self.committed:
            lines.append("Committed.")
        return lines
