// Customers with open needs who cannot be matched yet because they have not opted in or are not vetted (RM to-do list).
MATCH (c:Customer)-[:HAS_NEED]->(n:Need {status: 'open'})
WHERE coalesce(c.consent, 'unknown') <> 'opt_in' OR NOT coalesce(c.vetted, false)
WITH c, count(n) AS open_needs, collect(DISTINCT n.category) AS categories
WITH c, open_needs, categories,
     [w IN [CASE WHEN coalesce(c.consent, 'unknown') <> 'opt_in' THEN 'consent' END,
            CASE WHEN NOT coalesce(c.vetted, false) THEN 'vetting' END] WHERE w IS NOT NULL] AS waiting_for
RETURN c.relationship_manager AS relationship_manager, c.customer_id AS customer_id, c.name AS customer,
       c.consent AS consent, c.vetted AS vetted, c.risk_rating AS risk_rating, waiting_for, open_needs, categories
ORDER BY relationship_manager, open_needs DESC, customer_id
