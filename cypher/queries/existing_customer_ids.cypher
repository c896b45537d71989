// Which of the given customer ids already exist in the graph (the loader checks references in bulk).
UNWIND $ids AS id
MATCH (c:Customer {customer_id: id})
RETURN c.customer_id AS customer_id
