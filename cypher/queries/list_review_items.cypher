// Review items by status, newest first; a relationship manager ($manager_id not null) sees only their customers'.
MATCH (c:Customer)-[:HAS_REVIEW_ITEM]->(r:ReviewItem)
WHERE r.status = $status AND ($manager_id IS NULL OR c.relationship_manager = $manager_id)
RETURN r {.review_id, .customer_id, .interaction_id, .category, .confidence, .evidence, .status,
          .need_id, created_at: toString(r.created_at)} AS item
ORDER BY r.created_at DESC, r.review_id
SKIP $offset LIMIT $limit
