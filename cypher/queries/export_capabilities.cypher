// Every capability with its owner (training export; streamed, ordered by id).
MATCH (c:Customer)-[:CAN_PROVIDE]->(k:Capability)
RETURN k.capability_id AS capability_id, c.customer_id AS customer_id, k.category AS category,
       coalesce(k.description, '') AS description, coalesce(k.quality, 2.5) AS quality
ORDER BY capability_id
