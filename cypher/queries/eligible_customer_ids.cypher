// Every customer who may take part in matching (vetted, opted in, risk rating not high).
MATCH (c:Customer)
WHERE c.consent = 'opt_in' AND c.vetted = true AND c.risk_rating <> 'high'
RETURN c.customer_id AS customer_id
ORDER BY customer_id
