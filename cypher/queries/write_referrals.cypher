// Upsert past referrals (needer -> provider) between existing customers, keyed on referral_id.
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MATCH (a:Customer {customer_id: row.from_customer_id})
MATCH (b:Customer {customer_id: row.to_customer_id})
MERGE (a)-[r:REFERRED {referral_id: row.referral_id}]->(b)
SET r.created_at = datetime(row.created_at), r.outcome = row.outcome, r.value = row.value, r.rating = row.rating
RETURN count(r) AS written
