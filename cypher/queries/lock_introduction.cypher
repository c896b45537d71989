// Take the introduction's write lock, then read it: concurrent transitions (both parties accepting at once) run one after the other.
MATCH (i:Introduction {introduction_id: $introduction_id})
SET i._lock = true
REMOVE i._lock
RETURN i {.*} AS intro,
       [(i)-[:HAS_FEEDBACK]->(f:Feedback) | f.party] AS feedback_parties,
       COUNT { (i)-[:HAS_EVENT]->() } AS event_count
