"""`icrm load DIR`: ingest a folder of CRM exports, rejecting every bad row into a report, loading every good one.

Before anything is written, every file is read once: a missing file, an empty file, a missing column or
text that is not UTF-8 is a `LoadError` and the graph is untouched. Extra columns are ignored (a warning).
Rows are then validated and written in dependency order (customers first) in `UNWIND` batches, one managed
transaction per batch. A row is rejected, with file, line and every reason, when it fails validation, when its
id appears more than once in its file (every copy is rejected: the loader cannot know which one is right),
when it points at a customer that is neither loaded from `customers.csv` nor already in the graph, or when
that customer was erased (an `Erasure {id_hash}` node exists). Loading the same folder twice changes nothing.
"""

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.errors import ValidationFailed
from graph.ingest import (
    CUSTOMER_REFS,
    DEFAULT_BATCH_SIZE,
    ID_FIELDS,
    RECORD_CLASSES,
    RecordKind,
    flat_row,
    validate,
)
from graph.load_checks import KnownCustomers, Writer, erased_ids
from graph.load_report import FileSummary, LoadResult, RejectedRow, ReportWriter
from graph.quick_rows import quick_flat

LOAD_ORDER: tuple[RecordKind, ...] = tuple(RecordKind)  # customers first: every other file points at them
API_ONLY = {"contact_email", "contact_phone", "private_notes"}
csv.field_size_limit(16 * 1024 * 1024)  # oversized fields are rejected by validation, not by the parser

Progress = Callable[[RecordKind, int, int], None]
DEFAULT_WRITERS = 2  # batches in flight at once (see load_checks.Writer)


class LoadError(ValidationFailed):
    """The folder cannot be loaded at all (nothing was written)."""


def expected_columns(kind: RecordKind) -> list[str]:
    return [f for f in RECORD_CLASSES[kind].model_fields if f not in API_ONLY]


@dataclass
class _Plan:
    kind: RecordKind
    path: Path
    header: list[str]
    rows: int
    duplicates: dict[str, int]


def _open(path: Path):  # noqa: ANN202 - a text file handle
    return path.open(encoding="utf-8-sig", newline="")


def _scan(kind: RecordKind, path: Path, warnings: list[str]) -> _Plan:
    """Check the header and count rows and ids, reading the whole file once (it catches bad encodings too)."""
    expected = expected_columns(kind)
    try:
        with _open(path) as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            if not header or header == [""]:
                raise LoadError(f"{path.name} is empty; its first line must be the header: {','.join(expected)}")
            missing = [c for c in expected if c not in header]
            if missing:
                raise LoadError(
                    f"{path.name}: header lacks column(s) {', '.join(missing)}; expected {','.join(expected)}",
                    errors=[{"file": path.name, "missing_columns": missing, "expected": expected}])
            extra = [c for c in header if c not in expected]
            if extra:
                warnings.append(f"{path.name}: extra column(s) ignored: {', '.join(extra)}")
            at = header.index(ID_FIELDS[kind])
            ids: Counter[str] = Counter(r[at].strip() for r in reader if len(r) > at and r[at].strip())
            rows = reader.line_num  # a close upper bound for the progress bar (quoted fields may span lines)
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path.name} is not UTF-8 text (byte {exc.start}); export it as UTF-8") from None
    except csv.Error as exc:
        raise LoadError(f"{path.name} is not readable CSV: {exc}") from None
    return _Plan(kind, path, header, max(rows - 1, 0), {i: n for i, n in ids.items() if n > 1})


def plan_folder(folder: Path) -> tuple[list[_Plan], list[str]]:
    """Every file present with a usable header, or a `LoadError` naming what is wrong."""
    if not folder.is_dir():
        raise LoadError(f"{folder} is not a folder")
    names = [f"{k.value}.csv" for k in LOAD_ORDER]
    absent = [n for n in names if not (folder / n).is_file()]
    if absent:
        raise LoadError(f"{folder} lacks {', '.join(absent)}; a CRM export folder holds {', '.join(names)}",
                        errors=[{"missing_files": absent, "expected": names}])
    warnings: list[str] = []
    return [_scan(k, folder / f"{k.value}.csv", warnings) for k in LOAD_ORDER], warnings


def _chunks(plan: _Plan, size: int) -> Iterator[list[tuple[int, dict[str, str] | None, str | None]]]:
    """(first line of the row, row as a dict of the expected columns or None, problem) in chunks of `size`."""
    cols = expected_columns(plan.kind)
    width = len(plan.header)
    wanted = [(plan.header.index(c), c) for c in cols]
    chunk: list[tuple[int, dict[str, str] | None, str | None]] = []
    with _open(plan.path) as fh:
        reader = csv.reader(fh)
        next(reader)
        line = reader.line_num + 1
        for values in reader:
            if not values:  # a blank line is not a row
                line = reader.line_num + 1
                continue
            if len(values) != width:
                chunk.append((line, None, f"row has {len(values)} fields, the header has {width}"))
            else:
                chunk.append((line, {c: values[i] for i, c in wanted}, None))
            line = reader.line_num + 1
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _check_chunk(kind: RecordKind, plan: _Plan, chunk: list[tuple[int, dict[str, str] | None, str | None]]
                 ) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, list[str]]]:
    """The chunk's valid rows as flat rows (by position) and every other row's reasons (by position)."""
    id_field, name = ID_FIELDS[kind], plan.path.name
    reasons: dict[int, list[str]] = {}
    valid: list[tuple[int, dict[str, Any]]] = []
    slow: list[tuple[int, dict[str, str]]] = []  # rows the fast path leaves to the records
    for pos, (_line, raw, problem) in enumerate(chunk):
        if raw is None:
            reasons[pos] = [problem or "unreadable row"]
            continue
        rid = raw[id_field].strip()
        if rid in plan.duplicates:
            reasons[pos] = [f"{id_field} {rid!r} appears {plan.duplicates[rid]} times in {name}; every copy is rejected"]
        flat = quick_flat(kind, raw)
        if flat is None:
            slow.append((pos, raw))
        else:
            valid.append((pos, flat))
    if slow:
        records, rejects = validate(kind, [raw for _, raw in slow])
        for rej in rejects:
            reasons.setdefault(slow[rej.index][0], []).extend(rej.reasons)
        bad = {rej.index for rej in rejects}
        positions = [pos for i, (pos, _) in enumerate(slow) if i not in bad]
        valid.extend(zip(positions, (flat_row(rec) for rec in records), strict=True))
        valid.sort(key=lambda item: item[0])
    return valid, reasons


def _check_references(driver: Driver, kind: RecordKind, customers: KnownCustomers,
                      valid: list[tuple[int, dict[str, Any]]], reasons: dict[int, list[str]]) -> None:
    """Add a reason for every row that names an erased customer, or (other files) one that is not known."""
    if kind is RecordKind.customers:
        erased = erased_ids(driver, {row["customer_id"] for _, row in valid})
        for pos, row in valid:
            if row["customer_id"] in erased:
                reasons.setdefault(pos, []).append("customer was erased")
        return
    refs = CUSTOMER_REFS[kind]
    named = {row[f] for _, row in valid for f in refs}
    customers.resolve(named)
    erased = erased_ids(driver, named - customers.loaded - customers.in_graph)
    for pos, row in valid:
        for f in refs:
            cid = row[f]
            if customers.known(cid):
                continue
            if cid in erased:
                why = f"{f} {cid!r}: customer was erased"
            elif cid in customers.rejected:
                why = f"{f} {cid!r}: that customer's row in customers.csv was rejected"
            else:
                why = f"{f} {cid!r}: unknown customer (not in customers.csv and not in the graph)"
            reasons.setdefault(pos, []).append(why)


def _load_file(driver: Driver, plan: _Plan, customers: KnownCustomers, report: ReportWriter, writer: Writer, *,
               batch_size: int, progress: Progress | None) -> FileSummary:
    kind, name = plan.kind, plan.path.name
    summary = FileSummary(file=name)
    started = time.perf_counter()
    id_field = ID_FIELDS[kind]
    for chunk in _chunks(plan, batch_size):
        valid, reasons = _check_chunk(kind, plan, chunk)
        _check_references(driver, kind, customers, valid, reasons)
        good = [row for pos, row in valid if pos not in reasons]
        if good:
            writer.submit(kind, good)
        if kind is RecordKind.customers:
            customers.loaded.update(row["customer_id"] for row in good)
        for pos in sorted(reasons):
            line, raw, _ = chunk[pos]
            bad_id = (raw or {}).get(id_field, "").strip() or None
            if kind is RecordKind.customers and bad_id:
                customers.rejected.add(bad_id)
            report.write(RejectedRow(name, line, bad_id, "; ".join(reasons[pos])))
        summary.rows += len(chunk)
        summary.loaded += len(good)
        summary.rejected += len(reasons)
        if progress:
            progress(kind, summary.rows, max(plan.rows, summary.rows))
    writer.wait()
    if progress:  # the scan's row count is an upper bound; finish the bar on the true count
        progress(kind, summary.rows, summary.rows)
    summary.seconds = time.perf_counter() - started
    return summary


def load_folder(driver: Driver, *, folder: Path, report_path: Path, batch_size: int = DEFAULT_BATCH_SIZE,
                writers: int = DEFAULT_WRITERS, progress: Progress | None = None) -> LoadResult:
    """Load a CRM export folder; returns counts per file and where the rejected rows were reported."""
    if batch_size < 1:
        raise LoadError("batch size must be at least 1")
    if writers < 1:
        raise LoadError("writers must be at least 1")
    plans, warnings = plan_folder(folder)
    result = LoadResult(folder=folder, report_path=report_path, warnings=warnings)
    customers = KnownCustomers(driver)
    writer = Writer(driver, batch_size, writers)
    try:
        with ReportWriter(report_path) as report:
            for plan in plans:
                result.files[plan.path.name] = _load_file(driver, plan, customers, report, writer,
                                                          batch_size=batch_size, progress=progress)
    finally:
        writer.close()
    return result
