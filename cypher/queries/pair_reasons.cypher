// For each (needer, provider) pair: the needer's open needs that a capability of the provider serves (same category).
UNWIND $pairs AS pair
MATCH (a:Customer {customer_id: pair.needer_id})-[:HAS_NEED]->(n:Need)
WHERE coalesce(n.status, 'open') = 'open'
MATCH (b:Customer {customer_id: pair.provider_id})-[:CAN_PROVIDE]->(k:Capability)
WHERE k.category = n.category
RETURN pair.needer_id AS needer_id, pair.provider_id AS provider_id,
       n.need_id AS need_id, n.category AS need_category, coalesce(n.description, '') AS need_description,
       k.capability_id AS capability_id, k.category AS capability_category,
       coalesce(k.description, '') AS capability_description, coalesce(k.quality, 2.5) AS quality
ORDER BY needer_id, provider_id, quality DESC, need_id, capability_id
