// Every customer who may take part in matching (vetted, opted in, not high risk).
MATCH (c:Customer)
WHERE c.opted_in = true AND c.vetted = true AND coalesce(c.high_risk, false) = false
RETURN c.customer_id AS customer_id
ORDER BY customer_id
