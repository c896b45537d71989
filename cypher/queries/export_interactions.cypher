// Every interaction note with its customer (training export; streamed, ordered by id).
MATCH (c:Customer)-[:HAD_INTERACTION]->(i:Interaction)
RETURN i.interaction_id AS interaction_id, c.customer_id AS customer_id, coalesce(i.text, '') AS text,
       i.created_at.epochMillis AS created_at
ORDER BY interaction_id
