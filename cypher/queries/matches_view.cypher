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
WITH me, run_id, version,
     head(COLLECT { MATCH (me)-[s:SUGGESTED_INTRO]->(:Customer) WHERE s.run_id = run_id RETURN s.created_at LIMIT 1 })
       AS batch_at,
     // expanded from the asking side, which has few referrals (a popular provider has many)
     COLLECT { MATCH (me)-[:REFERRED]-(x:Customer) WHERE x <> me RETURN DISTINCT x } AS contacts
RETURN me IS NOT NULL AS exists,
       me.relationship_manager AS manager,
       coalesce(me.consent, 'unknown') AS consent,
       coalesce(me.vetted, false) AS vetted,
       coalesce(me.risk_rating, 'medium') AS risk_rating,
       version,
       COUNT { (me)-[:HAS_NEED]->(n:Need) WHERE coalesce(n.status, 'open') = 'open' } AS open_needs,
       EXISTS {
         MATCH (me)-[:HAS_NEED]->(n:Need)
         WHERE coalesce(n.status, 'open') = 'open' AND n.created_at > batch_at
       } AS new_needs,
       COLLECT {
         MATCH (me)-[s:SUGGESTED_INTRO]->(o:Customer)
         WHERE s.run_id = run_id
         RETURN {customer_id: o.customer_id, name: o.name, industry: o.industry, region: o.region,
                 score: s.score, rank: s.rank, reasons: s.reasons, model_version: s.model_version,
                 shared: size([x IN contacts WHERE x <> o AND EXISTS { (x)-[:REFERRED]-(o) }])} AS row
         ORDER BY s.rank
         LIMIT $fetch
       } AS rows
