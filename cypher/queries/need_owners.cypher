// The customer each of the given needs belongs to (needs that do not exist are absent).
UNWIND $ids AS id
MATCH (n:Need {need_id: id})
RETURN n.need_id AS id, n.customer_id AS customer_id
