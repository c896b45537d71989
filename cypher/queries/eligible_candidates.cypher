// The candidates (in the order given) that `customer_id` may be matched with right now.
MATCH (me:Customer {customer_id: $customer_id})
UNWIND range(0, size($candidate_ids) - 1) AS i
WITH me, i, $candidate_ids[i] AS cid
MATCH (other:Customer {customer_id: cid})
WHERE other <> me
  AND other.consent = 'opt_in' AND other.vetted = true AND other.risk_rating <> 'high'
  AND NOT (me)-[:REFERRED]-(other)
  AND NOT EXISTS { (me)-[:NEEDER_IN|PROVIDER_IN]->(:Introduction)<-[:NEEDER_IN|PROVIDER_IN]-(other) }
RETURN other.customer_id AS customer_id
ORDER BY i
