// One round-trip for GET /matches: who the customer is (existence, owner, eligibility fields), their suggestions
// from the latest completed run (graph/suggestions.py) with the other side's public fields and shared
// connections, how many open needs they have (none: nothing to score live either), and whether they raised
// open needs after that run scored them (then the API scores them live).
OPTIONAL MATCH (me:Customer {customer_id: $customer_id})
WITH me, COLLECT {
  MATCH (r:SuggestionRun) WHERE r.completed_at IS NOT NULL RETURN r ORDER BY r.completed_at DESC LIMIT 1
} AS runs
WITH me, CASE WHEN size(runs) = 0 THEN null ELSE runs[0] END AS run
WITH me, run.run_id AS run_id, run.model_version AS version
RETURN me IS NOT NULL AS exists,
       me.relationship_manager AS manager,
       coalesce(me.consent, 'unknown') AS consent,
       coalesce(me.vetted, false) AS vetted,
       coalesce(me.risk_rating, 'medium') AS risk_rating,
       version,
       COUNT { (me)-[:HAS_NEED]->(n:Need) WHERE coalesce(n.status, 'open') = 'open' } AS open_needs,
       EXISTS {
         MATCH (me)-[s:SUGGESTED_INTRO]->(:Customer), (me)-[:HAS_NEED]->(n:Need)
         WHERE s.run_id = run_id AND coalesce(n.status, 'open') = 'open' AND n.created_at > s.created_at
       } AS new_needs,
       COLLECT {
         MATCH (me)-[s:SUGGESTED_INTRO]->(o:Customer)
         WHERE s.run_id = run_id
         RETURN {customer_id: o.customer_id, name: o.name, industry: o.industry, region: o.region,
                 score: s.score, rank: s.rank, reasons: s.reasons, model_version: s.model_version,
                 shared: COUNT { (me)-[:REFERRED]-(x:Customer)-[:REFERRED]-(o) WHERE x <> me AND x <> o }} AS row
         ORDER BY s.rank
         LIMIT $fetch
       } AS rows
