// A customer's consent history, oldest first, with the current state.
MATCH (c:Customer {customer_id: $customer_id})
RETURN c.consent AS consent,
       COLLECT {
         MATCH (c)-[:CONSENT_EVENT]->(e:ConsentEvent)
         RETURN e {.consent, .basis, .actor, at: toString(e.at)} AS event ORDER BY e.at
       } AS events
