"""Customers: read one, check ownership, create or update through the loader's write path."""

from neo4j import Driver, RoutingControl

from graph.cypher import query


def customer_manager(driver: Driver, *, customer_id: str) -> tuple[bool, str | None]:
    """(exists, relationship manager id) for the access check of every customer route."""
    records, _, _ = driver.execute_query(query("customer_manager"), customer_id=customer_id,
                                         routing_=RoutingControl.READ)
    r = records[0]
    return bool(r["exists"]), r["manager"]
