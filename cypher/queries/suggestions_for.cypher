// A customer's stored suggestions from the latest completed run, best rank first.
MATCH (r:SuggestionRun)
WHERE r.completed_at IS NOT NULL
WITH r ORDER BY r.completed_at DESC LIMIT 1
MATCH (:Customer {customer_id: $customer_id})-[s:SUGGESTED_INTRO {run_id: r.run_id}]->(p:Customer)
RETURN p.customer_id AS provider_id, s.score AS score, s.rank AS rank, s.model_version AS model_version,
       s.reasons AS reasons, s.reason_text AS reason_text, s.created_at AS created_at
ORDER BY s.rank
LIMIT $k
