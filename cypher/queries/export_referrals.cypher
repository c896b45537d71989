// Every past referral, needer -> provider, with its time and outcome (ordered by time for the temporal split).
MATCH (a:Customer)-[r:REFERRED]->(b:Customer)
RETURN coalesce(r.referral_id, r.introduction_id, elementId(r)) AS referral_id, a.customer_id AS needer_id,
       b.customer_id AS provider_id, r.created_at.epochMillis AS created_at, coalesce(r.outcome, 'pending') AS outcome
ORDER BY created_at, referral_id
