// Whether a customer exists, and the relationship manager who owns them (for access checks).
OPTIONAL MATCH (c:Customer {customer_id: $customer_id})
RETURN c IS NOT NULL AS exists, c.relationship_manager AS manager
