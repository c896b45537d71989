// Upsert needs of existing customers (never creates a customer), with their Category and IN_CATEGORY edge.
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (n:Need {need_id: row.need_id})
SET n.customer_id = row.customer_id, n.category = row.category, n.description = row.description,
    n.created_at = datetime(row.created_at), n.status = row.status, n.source = row.source
MERGE (cat:Category {name: row.category})
MERGE (c)-[:HAS_NEED]->(n)
MERGE (n)-[:IN_CATEGORY]->(cat)
WITH n, c, cat
// a corrected export may move a need to another category or customer: drop the stale edges
CALL (n, c, cat) {
  OPTIONAL MATCH (n)-[old:IN_CATEGORY]->(other) WHERE other <> cat
  DELETE old
}
CALL (n, c) {
  OPTIONAL MATCH (prev:Customer)-[old:HAS_NEED]->(n) WHERE prev <> c
  DELETE old
}
RETURN count(n) AS written
