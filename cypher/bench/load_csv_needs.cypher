// Benchmark only: Neo4j's own LOAD CSV doing the same upsert as write_needs.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (c:Customer {customer_id: row.customer_id})
  MERGE (n:Need {need_id: row.need_id})
  SET n.customer_id = row.customer_id, n.category = row.category, n.description = row.description,
      n.created_at = CASE WHEN row.created_at <> '' THEN datetime(row.created_at) END,
      n.status = row.status, n.source = row.source
  MERGE (cat:Category {name: row.category})
  MERGE (c)-[:HAS_NEED]->(n)
  MERGE (n)-[:IN_CATEGORY]->(cat)
} IN TRANSACTIONS OF $batch ROWS
