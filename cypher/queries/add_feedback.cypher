// One feedback per party; the needer's rating is copied onto the REFERRED edge as a training signal.
UNWIND $rows AS row
MATCH (i:Introduction {introduction_id: row.introduction_id})
MERGE (i)-[:HAS_FEEDBACK]->(f:Feedback {party: row.feedback.party})
ON CREATE SET f += row.feedback
WITH f, row
OPTIONAL MATCH (:Customer)-[r:REFERRED {referral_id: row.introduction_id}]->(:Customer)
WHERE row.feedback.party = 'needer'
SET r.rating = row.feedback.rating
