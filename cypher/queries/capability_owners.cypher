// The customer each of the given capabilities belongs to (capabilities that do not exist are absent).
UNWIND $ids AS id
MATCH (p:Capability {capability_id: id})
RETURN p.capability_id AS id, p.customer_id AS customer_id
