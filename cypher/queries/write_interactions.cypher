// Upsert interaction notes of existing customers (never creates a customer).
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (i:Interaction {interaction_id: row.interaction_id})
WITH c, i, row, i.customer_id AS old_customer
SET i.customer_id = row.customer_id, i.channel = row.channel, i.text = row.text,
    i.created_at = datetime(row.created_at)
WITH c, i, old_customer
// every Interaction is written by this query, so one without a customer_id was created just now by the MERGE
// above: its edge cannot exist yet, and CREATE skips MERGE's edge scan and exclusive locks (concurrent batches)
CALL (c, i, old_customer) {
  WITH c, i WHERE old_customer IS NULL
  CREATE (c)-[:HAD_INTERACTION]->(i)
}
CALL (c, i, old_customer) {
  WITH c, i WHERE old_customer IS NOT NULL
  MERGE (c)-[:HAD_INTERACTION]->(i)
}
RETURN count(i) AS written
