// Benchmark only: Neo4j's own LOAD CSV doing the same upsert as write_referrals.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:Customer {customer_id: row.from_customer_id})
  MATCH (b:Customer {customer_id: row.to_customer_id})
  MERGE (a)-[r:REFERRED {referral_id: row.referral_id}]->(b)
  SET r.created_at = datetime(row.created_at), r.outcome = row.outcome, r.value = toFloat(row.value),
      r.rating = toInteger(row.rating)
} IN TRANSACTIONS OF $batch ROWS
