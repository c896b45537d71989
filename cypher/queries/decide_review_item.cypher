// Mark a pending review item confirmed or dropped (only from pending: a repeated decision changes nothing).
MATCH (r:ReviewItem {review_id: $review_id})
WHERE r.status = 'pending'
SET r.status = $status, r.decided_at = datetime(), r.decided_by = $actor, r.need_id = $need_id
RETURN r {.review_id, .customer_id, .interaction_id, .category, .confidence, .evidence, .status,
          .need_id, created_at: toString(r.created_at)} AS item
