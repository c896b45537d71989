// Rule-based ranking without a model: providers serving the customer's open-need categories, best quality first.
MATCH (me:Customer {customer_id: $customer_id})-[:HAS_NEED]->(n:Need)
WHERE coalesce(n.status, 'open') = 'open'
WITH me, collect(DISTINCT n.category) AS wanted
UNWIND wanted AS category
MATCH (p:Customer)-[:CAN_PROVIDE]->(k:Capability {category: category})
WHERE p <> me
WITH p, category, max(coalesce(k.quality, 2.5)) AS quality
WITH p, count(category) AS matched, sum(quality) AS total_quality
RETURN p.customer_id AS customer_id, toFloat(matched) + total_quality / (5.0 * matched + 1.0) AS score
ORDER BY score DESC, customer_id
LIMIT $limit
