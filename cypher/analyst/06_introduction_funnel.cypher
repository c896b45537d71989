// Introduction funnel: per workflow state, how many introductions are in it now and how many ever reached it.
UNWIND range(0, 9) AS stage
WITH stage, ['proposed', 'awaiting_manager', 'approved', 'offered', 'accepted', 'met', 'completed',
             'rejected', 'declined', 'withdrawn'][stage] AS state
CALL (state) {
  OPTIONAL MATCH (i:Introduction)
  WHERE state = 'proposed' OR i.state = state OR EXISTS { (i)-[:HAS_EVENT]->(:IntroEvent {to_state: state}) }
  RETURN count(i) AS reached, count(CASE WHEN i.state = state THEN 1 END) AS now
}
RETURN stage, state, now, reached
ORDER BY stage
