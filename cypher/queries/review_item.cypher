// One review item.
MATCH (r:ReviewItem {review_id: $review_id})
RETURN r {.review_id, .customer_id, .interaction_id, .category, .confidence, .evidence, .status,
          .need_id, created_at: toString(r.created_at)} AS item
