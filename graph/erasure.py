"""Erasure of a customer (right to be forgotten).

An erased customer leaves only an `Erasure {id_hash}` node, so that an old CRM export cannot bring them back,
and, for each introduction they took part in, a tombstone without their id, name or texts (the program metrics
still count it).
"""

import hashlib

from neo4j import Driver

from graph.cypher import query
from graph.errors import NotFound


def id_hash(customer_id: str) -> str:
    """The non-reversible fingerprint of an erased customer's id that the loader checks against."""
    return hashlib.sha256(b"icrm-erasure:" + customer_id.encode("utf-8")).hexdigest()


def erase_customer(driver: Driver, *, customer_id: str) -> list[str]:
    """Erase the customer and everything of theirs in one transaction; NotFound when there is no such customer.

    Returns the texts (need, capability and interaction text) whose derived data outside the graph, such as
    cached embeddings, the caller must forget too.
    """
    records, _, _ = driver.execute_query(query("erase_customer"), customer_id=customer_id,
                                         id_hash=id_hash(customer_id))
    if not records:
        raise NotFound("no customer with that id")
    return [t for t in records[0]["texts"] if t]
