// Benchmark only: Neo4j's own LOAD CSV doing the same upsert as write_capabilities.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (c:Customer {customer_id: row.customer_id})
  MERGE (p:Capability {capability_id: row.capability_id})
  SET p.customer_id = row.customer_id, p.category = row.category, p.description = row.description,
      p.quality = coalesce(toFloat(row.quality), 2.5)
  MERGE (cat:Category {name: row.category})
  MERGE (c)-[:CAN_PROVIDE]->(p)
  MERGE (p)-[:IN_CATEGORY]->(cat)
} IN TRANSACTIONS OF $batch ROWS
