// Set a customer's current consent and append the change to its history (actor = the API key id).
MATCH (c:Customer {customer_id: $customer_id})
WITH c, datetime() AS now
SET c.consent = $consent, c.consent_at = now, c.updated_at = now
CREATE (c)-[:CONSENT_EVENT]->(e:ConsentEvent {consent: $consent, basis: $basis, actor: $actor, at: now})
// a withdrawal also removes the stored suggestions on either side at once
WITH c, e
CALL (c) {
  MATCH (c)-[s:SUGGESTED_INTRO]-()
  WHERE $consent <> 'opt_in'
  DELETE s
}
RETURN toString(e.at) AS at
