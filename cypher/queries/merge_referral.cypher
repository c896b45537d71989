// A finished or declined introduction becomes a REFERRED edge (needer → provider) the next training run learns from.
UNWIND $rows AS row
MATCH (n:Customer)-[:NEEDER_IN]->(i:Introduction {introduction_id: row.introduction_id})<-[:PROVIDER_IN]-(p:Customer)
MERGE (n)-[r:REFERRED {referral_id: row.introduction_id}]->(p)
ON CREATE SET r.created_at = row.at
SET r.introduction_id = row.introduction_id, r.outcome = row.outcome, r.value = row.value
