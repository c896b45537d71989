// Upsert interaction notes of existing customers (never creates a customer).
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (i:Interaction {interaction_id: row.interaction_id})
SET i.customer_id = row.customer_id, i.channel = row.channel, i.text = row.text,
    i.created_at = datetime(row.created_at)
MERGE (c)-[:HAD_INTERACTION]->(i)
RETURN count(i) AS written
