// Link the needs an interaction revealed and queue the uncertain findings for review.
MATCH (c:Customer {customer_id: $customer_id})-[:HAD_INTERACTION]->(i:Interaction {interaction_id: $interaction_id})
CALL (i) {
  UNWIND $need_ids AS need_id
  MATCH (n:Need {need_id: need_id})
  MERGE (i)-[:REVEALED]->(n)
}
CALL (c, i) {
  UNWIND $reviews AS row
  MERGE (r:ReviewItem {review_id: row.review_id})
  ON CREATE SET r.customer_id = c.customer_id, r.interaction_id = i.interaction_id, r.category = row.category,
                r.confidence = row.confidence, r.evidence = row.evidence, r.status = 'pending',
                r.created_at = datetime()
  MERGE (c)-[:HAS_REVIEW_ITEM]->(r)
}
RETURN i.interaction_id AS interaction_id
