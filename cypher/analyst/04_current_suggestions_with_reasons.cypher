// Current suggestions (SUGGESTED_INTRO, written by `icrm suggest`) with rank, score and the plain-language reason.
MATCH (a:Customer)-[s:SUGGESTED_INTRO]->(b:Customer)
RETURN a.customer_id AS customer_id, a.name AS customer, a.relationship_manager AS relationship_manager,
       s.rank AS rank, b.customer_id AS suggested_id, b.name AS suggested, round(s.score, 3) AS score,
       s.reason_text AS reason, s.model_version AS model_version, s.created_at AS created_at
ORDER BY customer_id, rank
