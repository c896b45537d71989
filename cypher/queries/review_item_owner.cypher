// The customer and relationship manager behind a review item (for the access check).
MATCH (c:Customer)-[:HAS_REVIEW_ITEM]->(r:ReviewItem {review_id: $review_id})
RETURN c.customer_id AS customer_id, c.relationship_manager AS manager, r.status AS status
