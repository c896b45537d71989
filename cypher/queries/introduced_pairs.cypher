// Every pair of customers with an introduction between them (any state), each way round: a bulk pre-filter for
// the batch suggester, which still confirms what it keeps with eligible_pairs.
MATCH (a:Customer)-[:NEEDER_IN|PROVIDER_IN]->(:Introduction)<-[:NEEDER_IN|PROVIDER_IN]-(b:Customer)
WHERE a <> b
RETURN DISTINCT a.customer_id AS customer_id, b.customer_id AS other_id
