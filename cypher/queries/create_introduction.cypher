// Propose an introduction (needer → provider) with its first audit events.
// Both customers are write-locked first, so two concurrent proposals for one pair cannot both pass the guard;
// the guard only closes that race: whether the pair may be proposed at all is graph/eligibility.py's rule.
UNWIND $rows AS row
MATCH (n:Customer {customer_id: row.needer_id}), (p:Customer {customer_id: row.provider_id})
SET n._lock = true, p._lock = true
REMOVE n._lock, p._lock
WITH row, n, p
WHERE NOT EXISTS { (n)-[:NEEDER_IN|PROVIDER_IN]->(:Introduction)<-[:NEEDER_IN|PROVIDER_IN]-(p) }
MERGE (i:Introduction {introduction_id: row.introduction_id})
SET i += row.props
MERGE (n)-[:NEEDER_IN]->(i)
MERGE (p)-[:PROVIDER_IN]->(i)
WITH i, row
UNWIND row.events AS ev
MERGE (i)-[:HAS_EVENT]->(e:IntroEvent {seq: ev.seq})
SET e += ev
RETURN DISTINCT i.introduction_id AS introduction_id
