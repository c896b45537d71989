// Public fields of the given candidates (in order) and how many customers each shares with the asking one.
MATCH (me:Customer {customer_id: $customer_id})
UNWIND range(0, size($candidate_ids) - 1) AS i
MATCH (o:Customer {customer_id: $candidate_ids[i]})
RETURN o.customer_id AS customer_id, o.name AS name, o.industry AS industry, o.region AS region,
       COUNT { (me)-[:REFERRED]-(x:Customer)-[:REFERRED]-(o) WHERE x <> me AND x <> o } AS shared
ORDER BY i
