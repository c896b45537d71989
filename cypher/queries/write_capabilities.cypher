// Upsert capabilities of existing customers (never creates a customer), with their Category and IN_CATEGORY edge.
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (p:Capability {capability_id: row.capability_id})
SET p.customer_id = row.customer_id, p.category = row.category, p.description = row.description,
    p.quality = row.quality
MERGE (cat:Category {name: row.category})
MERGE (c)-[:CAN_PROVIDE]->(p)
MERGE (p)-[:IN_CATEGORY]->(cat)
WITH p, c, cat
// a corrected export may move a capability to another category or customer: drop the stale edges
CALL (p, c, cat) {
  OPTIONAL MATCH (p)-[old:IN_CATEGORY]->(other) WHERE other <> cat
  DELETE old
}
CALL (p, c) {
  OPTIONAL MATCH (prev:Customer)-[old:CAN_PROVIDE]->(p) WHERE prev <> c
  DELETE old
}
RETURN count(p) AS written
