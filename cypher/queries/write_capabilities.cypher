// Upsert capabilities of existing customers (never creates a customer), with their Category and IN_CATEGORY edge.
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (p:Capability {capability_id: row.capability_id})
WITH c, p, row, p.category AS old_category, p.customer_id AS old_customer
SET p.customer_id = row.customer_id, p.category = row.category, p.description = row.description,
    p.quality = row.quality
MERGE (cat:Category {name: row.category})
WITH p, c, cat, row, old_category, old_customer
// every Capability is written by this query, so one without a customer_id was created just now by the MERGE
// above: its edges cannot exist yet, and CREATE skips MERGE's edge scan and exclusive locks (concurrent batches)
CALL (p, c, cat, old_customer) {
  WITH p, c, cat WHERE old_customer IS NULL
  CREATE (c)-[:CAN_PROVIDE]->(p), (p)-[:IN_CATEGORY]->(cat)
}
// an existing capability: a corrected export may move it to another category or customer (drop the stale edges)
CALL (p, c, cat, row, old_category, old_customer) {
  WITH p, c, cat, row, old_category, old_customer WHERE old_customer IS NOT NULL
  MERGE (c)-[:CAN_PROVIDE]->(p)
  MERGE (p)-[:IN_CATEGORY]->(cat)
  WITH p, c, cat, row, old_category, old_customer
  CALL (p, cat, row, old_category) {
    WITH p, cat WHERE old_category IS NOT NULL AND old_category <> row.category
    MATCH (p)-[old:IN_CATEGORY]->(other) WHERE other <> cat
    DELETE old
  }
  CALL (p, c, row, old_customer) {
    WITH p, c WHERE old_customer <> row.customer_id
    MATCH (prev:Customer)-[old:CAN_PROVIDE]->(p) WHERE prev <> c
    DELETE old
  }
}
RETURN count(p) AS written
