// Upsert needs of existing customers (never creates a customer), with their Category and IN_CATEGORY edge.
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (n:Need {need_id: row.need_id})
WITH c, n, row, n.category AS old_category, n.customer_id AS old_customer
SET n.customer_id = row.customer_id, n.category = row.category, n.description = row.description,
    n.created_at = datetime(row.created_at), n.status = row.status, n.source = row.source
MERGE (cat:Category {name: row.category})
WITH n, c, cat, row, old_category, old_customer
// every Need is written by this query, so one without a customer_id was created just now by the MERGE above:
// its edges cannot exist yet, and CREATE skips MERGE's edge scan and exclusive locks (concurrent batches)
CALL (n, c, cat, old_customer) {
  WITH n, c, cat WHERE old_customer IS NULL
  CREATE (c)-[:HAS_NEED]->(n), (n)-[:IN_CATEGORY]->(cat)
}
// an existing need: a corrected export may move it to another category or customer (drop the stale edges)
CALL (n, c, cat, row, old_category, old_customer) {
  WITH n, c, cat, row, old_category, old_customer WHERE old_customer IS NOT NULL
  MERGE (c)-[:HAS_NEED]->(n)
  MERGE (n)-[:IN_CATEGORY]->(cat)
  WITH n, c, cat, row, old_category, old_customer
  CALL (n, cat, row, old_category) {
    WITH n, cat WHERE old_category IS NOT NULL AND old_category <> row.category
    MATCH (n)-[old:IN_CATEGORY]->(other) WHERE other <> cat
    DELETE old
  }
  CALL (n, c, row, old_customer) {
    WITH n, c WHERE old_customer <> row.customer_id
    MATCH (prev:Customer)-[old:HAS_NEED]->(n) WHERE prev <> c
    DELETE old
  }
}
RETURN count(n) AS written
