// The audit trail of one introduction, in the order the steps happened.
MATCH (i:Introduction {introduction_id: $introduction_id})
OPTIONAL MATCH (i)-[:HAS_EVENT]->(e:IntroEvent)
WITH e ORDER BY e.seq
RETURN [x IN collect(e {.*}) WHERE x IS NOT NULL] AS events
