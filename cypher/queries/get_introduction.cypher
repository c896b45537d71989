// One introduction with both parties (absent once a customer is erased) and its feedback. Never private notes.
MATCH (i:Introduction {introduction_id: $introduction_id})
OPTIONAL MATCH (n:Customer)-[:NEEDER_IN]->(i)
OPTIONAL MATCH (p:Customer)-[:PROVIDER_IN]->(i)
RETURN i {.*} AS intro,
       n {.customer_id, .name, .industry, .region, .segment, .relationship_manager, .contact_email, .contact_phone} AS needer,
       p {.customer_id, .name, .industry, .region, .segment, .relationship_manager, .contact_email, .contact_phone} AS provider,
       [(i)-[:HAS_FEEDBACK]->(f:Feedback) | f {.*}] AS feedback
