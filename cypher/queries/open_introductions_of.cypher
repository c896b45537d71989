// The introductions of these customers that are still open (not yet accepted by both, not ended).
MATCH (c:Customer)-[:NEEDER_IN|PROVIDER_IN]->(i:Introduction)
WHERE c.customer_id IN $customer_ids AND i.state IN $open_states
RETURN DISTINCT i.introduction_id AS introduction_id
ORDER BY introduction_id
