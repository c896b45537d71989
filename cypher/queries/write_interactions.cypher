// Upsert interaction notes of existing customers (never creates a customer).
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.customer_id})
MERGE (i:Interaction {interaction_id: row.interaction_id})
SET i += row.props
MERGE (c)-[:HAD_INTERACTION]->(i)
RETURN count(i) AS written
