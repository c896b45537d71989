// The positions of the (customer, candidate) pairs that may be matched right now: THE eligibility rule.
// (One row with the list of positions: a row per pair costs the driver more than the rule costs the server.)
// Both customers vetted, opted in and not high risk; not the same customer; no referral and no introduction
// (in any state) between them.
UNWIND range(0, size($pairs) - 1) AS i
WITH i, $pairs[i] AS pair
MATCH (me:Customer {customer_id: pair[0]})
MATCH (other:Customer {customer_id: pair[1]})
WHERE other <> me
  AND me.consent = 'opt_in' AND me.vetted = true AND me.risk_rating <> 'high'
  AND other.consent = 'opt_in' AND other.vetted = true AND other.risk_rating <> 'high'
  AND NOT (me)-[:REFERRED]-(other)
  AND NOT EXISTS { (me)-[:NEEDER_IN|PROVIDER_IN]->(:Introduction)<-[:NEEDER_IN|PROVIDER_IN]-(other) }
WITH i ORDER BY i
RETURN collect(i) AS kept
