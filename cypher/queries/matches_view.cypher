// One round-trip for GET /matches: who the customer is (existence, owner, eligibility fields), the newest batch
// of stored suggestions with the other side's public fields and shared connections, and whether the customer
// has raised open needs since that batch (then the API scores them live instead).
OPTIONAL MATCH (me:Customer {customer_id: $customer_id})
WITH me, COLLECT {
  MATCH (me)-[s:SUGGESTED_INTRO]->(:Customer) RETURN s ORDER BY s.created_at DESC LIMIT 1
} AS newest
WITH me, CASE WHEN size(newest) = 0 THEN null ELSE newest[0] END AS latest
WITH me, latest.model_version AS version, latest.created_at AS batch_at
RETURN me IS NOT NULL AS exists,
       me.relationship_manager AS manager,
       coalesce(me.consent, 'unknown') AS consent,
       coalesce(me.vetted, false) AS vetted,
       coalesce(me.risk_rating, 'medium') AS risk_rating,
       version,
       EXISTS {
         MATCH (me)-[:HAS_NEED]->(n:Need)
         WHERE coalesce(n.status, 'open') = 'open' AND batch_at IS NOT NULL AND n.created_at > batch_at
       } AS new_needs,
       COLLECT {
         MATCH (me)-[s:SUGGESTED_INTRO]->(o:Customer)
         WHERE s.model_version = version
         RETURN {customer_id: o.customer_id, name: o.name, industry: o.industry, region: o.region,
                 score: s.score, rank: s.rank, reasons: s.reasons,
                 shared: COUNT { (me)-[:REFERRED]-(x:Customer)-[:REFERRED]-(o) WHERE x <> me AND x <> o }} AS row
         ORDER BY s.rank
         LIMIT $fetch
       } AS rows
