// Benchmark only: Neo4j's own LOAD CSV doing the same upsert as write_interactions.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (c:Customer {customer_id: row.customer_id})
  MERGE (i:Interaction {interaction_id: row.interaction_id})
  SET i.customer_id = row.customer_id, i.channel = row.channel, i.text = row.text,
      i.created_at = CASE WHEN row.created_at <> '' THEN datetime(row.created_at) END
  MERGE (c)-[:HAD_INTERACTION]->(i)
} IN TRANSACTIONS OF $batch ROWS
