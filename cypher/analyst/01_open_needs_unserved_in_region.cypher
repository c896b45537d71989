// Open needs that no other customer in the same region can serve (no capability of the need's category there).
MATCH (c:Customer)-[:HAS_NEED]->(n:Need {status: 'open'})
WHERE NOT EXISTS {
  MATCH (p:Customer {region: c.region})-[:CAN_PROVIDE]->(:Capability {category: n.category})
  WHERE p <> c
}
RETURN c.region AS region, n.category AS category, c.customer_id AS customer_id, c.name AS customer,
       n.need_id AS need_id, n.description AS description, n.created_at AS created_at
ORDER BY region, category, created_at, need_id
