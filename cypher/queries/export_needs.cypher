// Every need with its owner (training export; streamed, ordered by id).
MATCH (c:Customer)-[:HAS_NEED]->(n:Need)
RETURN n.need_id AS need_id, c.customer_id AS customer_id, n.category AS category,
       coalesce(n.description, '') AS description, coalesce(n.status, 'open') AS status, n.created_at.epochMillis AS created_at
ORDER BY need_id
