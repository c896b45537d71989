"""The loader's helpers: which customer ids rows may point at, erased ids, and the background batch writer."""

from concurrent.futures import Future, ThreadPoolExecutor

from neo4j import Driver, RoutingControl

from graph.cypher import query
from graph.erasure import id_hash
from graph.ingest import RecordKind, write


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
    """Writes batches on one background thread, so Python reads and checks the next chunk while Neo4j writes
    this one. One batch in flight at a time, in order: a file's rows are in the graph before the next file's."""

    def __init__(self, driver: Driver, batch_size: int) -> None:
        self.driver = driver
        self.batch_size = batch_size
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="icrm-load-writer")
        self.pending: Future[int] | None = None

    def submit(self, kind: RecordKind, records: list) -> None:
        self.wait()
        self.pending = self.pool.submit(write, self.driver, kind, records=records, batch_size=self.batch_size)

    def wait(self) -> None:
        """Block until the batch in flight is committed (a failed write raises here)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown(wait=True)
