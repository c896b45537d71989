"""What a load did: per-file counts, warnings, and the report file that lists every rejected row."""

import csv
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO


@dataclass
class FileSummary:
    file: str
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    seconds: float = 0.0


@dataclass
class LoadResult:
    folder: Path
    report_path: Path
    files: dict[str, FileSummary] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files.values())

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files.values())

    def as_json(self) -> dict:
        return {
            "folder": str(self.folder),
            "loaded": {name: f.loaded for name, f in self.files.items()},
            "rejected": {name: f.rejected for name, f in self.files.items()},
            "rows": {name: f.rows for name, f in self.files.items()},
            "seconds": {name: round(f.seconds, 2) for name, f in self.files.items()},
            "total_loaded": self.loaded,
            "total_rejected": self.rejected,
            "report_path": str(self.report_path),
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    id: str | None
    reason: str


def default_report_path(var_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return var_dir / f"load-report-{stamp}.csv"


class ReportWriter:
    """Streams rejected rows to CSV (`file,line,id,reason`) or, for a `.jsonl` path, one JSON object a line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._jsonl = path.suffix.lower() == ".jsonl"
        self._fh: IO[str] | None = None
        self._csv: csv.writer | None = None  # type: ignore[valid-type]

    def __enter__(self) -> "ReportWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w", encoding="utf-8", newline="")
        if not self._jsonl:
            self._csv = csv.writer(self._fh)
            self._csv.writerow(["file", "line", "id", "reason"])
        return self

    def write(self, row: RejectedRow) -> None:
        assert self._fh is not None, "use ReportWriter as a context manager"
        self.count += 1
        if self._jsonl:
            self._fh.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        else:
            self._csv.writerow([row.file, row.line, row.id or "", row.reason])  # type: ignore[union-attr]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fh is not None:
            self._fh.close()


def read_report(path: Path) -> list[RejectedRow]:
    """Read a report back (the tests and the demo use this)."""
    with path.open(encoding="utf-8", newline="") as fh:
        if path.suffix.lower() == ".jsonl":
            return [RejectedRow(**json.loads(line)) for line in fh if line.strip()]
        return [RejectedRow(r["file"], int(r["line"]), r["id"] or None, r["reason"]) for r in csv.DictReader(fh)]
