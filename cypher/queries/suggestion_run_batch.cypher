// One batch of a suggestion run: (needer)-[:SUGGESTED_INTRO]->(provider), keyed on the run (idempotent).
UNWIND $rows AS row
MATCH (a:Customer {customer_id: row.needer_id})
MATCH (b:Customer {customer_id: row.provider_id})
MERGE (a)-[s:SUGGESTED_INTRO {run_id: $run_id}]->(b)
SET s.model_version = $version, s.score = row.score, s.rank = row.rank, s.reasons = row.reasons,
    s.reason_text = row.reason_text, s.created_at = datetime($created_at)
