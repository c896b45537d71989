// A page of introductions, newest first, optionally by state; a relationship manager sees only those involving their customers.
MATCH (i:Introduction)
WHERE ($state IS NULL OR i.state = $state)
  AND (NOT $scoped OR EXISTS {
        MATCH (c:Customer)-[:NEEDER_IN|PROVIDER_IN]->(i) WHERE c.relationship_manager = $manager_id })
RETURN i {.*} AS intro
ORDER BY i.created_at DESC, i.introduction_id
SKIP $offset LIMIT $limit
