"""The loader's helpers: which customer ids rows may point at, erased ids, and the background batch writer."""

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from neo4j import Driver, RoutingControl

from graph.cypher import query
from graph.erasure import id_hash
from graph.ingest import RecordKind, write_rows


class KnownCustomers:
    """Which customer ids rows may point at: loaded in this run, or already in the graph (looked up in bulk)."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.loaded: set[str] = set()
        self.rejected: set[str] = set()
        self.in_graph: set[str] = set()
        self.absent: set[str] = set()

    def resolve(self, ids: set[str]) -> None:
        todo = [i for i in ids if i not in self.loaded and i not in self.in_graph and i not in self.absent]
        if not todo:
            return
        records, _, _ = self.driver.execute_query(query("existing_customer_ids"), ids=todo,
                                                  routing_=RoutingControl.READ)
        found = {r["customer_id"] for r in records}
        self.in_graph |= found
        self.absent |= set(todo) - found

    def known(self, cid: str) -> bool:
        return cid in self.loaded or cid in self.in_graph


def erased_ids(driver: Driver, ids: set[str]) -> set[str]:
    """The ids among `ids` whose erasure fingerprint is recorded."""
    if not ids:
        return set()
    by_hash = {id_hash(i): i for i in ids}
    records, _, _ = driver.execute_query(query("erased_id_hashes"), hashes=list(by_hash),
                                         routing_=RoutingControl.READ)
    return {by_hash[r["id_hash"]] for r in records}


class Writer:
    """Writes batches on background threads, so Python reads and checks the next chunk while Neo4j writes.

    Up to `workers` batches of one file are in flight at once, each its own transaction: on two cores Neo4j
    runs one batch while it commits the other. Rows of different batches never share a key (ids repeated in a
    file are rejected), and the write queries CREATE the edges of new nodes rather than MERGE-lock both ends, so
    concurrent batches seldom wait on each other; a deadlock is retried by the driver's managed transaction.
    Referrals go one batch at a time: MERGE locks both customers of a row as it goes, so two batches deadlock
    (measured), and lanes of rows that share no customer were slower still than one batch at a time (measured).
    `wait()` is a barrier: a file's rows are all in the graph before the next file's start.
    """

    def __init__(self, driver: Driver, batch_size: int, workers: int = 2) -> None:
        self.driver = driver
        self.batch_size = batch_size
        self.workers = max(1, workers)
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="icrm-load-writer")
        self.pending: deque[Future[int]] = deque()

    def submit(self, kind: RecordKind, rows: list[dict[str, Any]]) -> None:
        """Queue one batch of flat rows; blocks while `workers` batches are already in flight."""
        limit = 1 if kind is RecordKind.referrals else self.workers
        while len(self.pending) >= limit:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(write_rows, self.driver, kind, rows=rows, batch_size=self.batch_size))

    def wait(self) -> None:
        """Block until every batch in flight is committed; the first failure is raised once all have ended."""
        error: BaseException | None = None
        while self.pending:
            try:
                self.pending.popleft().result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the other batches ended
                error = error or exc
        if error is not None:
            raise error

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown(wait=True)
