// Upsert customers from validated records; a new or changed consent value also leaves a ConsentEvent.
// Timestamps arrive as ISO 8601 text (cheaper to send than driver datetimes); API-only fields that are null stay.
// replan=skip: unique-key seeks suit any graph size, and replanning while a load grows the graph stalls batches
CYPHER replan=skip
UNWIND $rows AS row
MERGE (c:Customer {customer_id: row.customer_id})
WITH c, row, c.consent AS old_consent, datetime(row.consent_at) AS consent_at, datetime(row.joined_at) AS joined_at
// every Customer is written by this query, so one without a consent value was created just now by the MERGE:
// nothing to compare, no suggestion to drop (the bulk of a first load takes this short path)
CALL (c, row, old_consent, consent_at, joined_at) {
  WITH c, row, consent_at, joined_at WHERE old_consent IS NULL
  SET c.name = row.name, c.kind = row.kind, c.industry = row.industry, c.region = row.region,
      c.segment = row.segment, c.vetted = row.vetted, c.risk_rating = row.risk_rating, c.consent = row.consent,
      c.consent_at = consent_at, c.relationship_manager = row.relationship_manager, c.joined_at = joined_at,
      c.contact_email = row.contact_email, c.contact_phone = row.contact_phone, c.private_notes = row.private_notes,
      c.updated_at = datetime()
  CREATE (c)-[:CONSENT_EVENT]->(:ConsentEvent {consent: row.consent, basis: $basis, actor: $actor,
                                               at: coalesce(consent_at, datetime())})
}
CALL (c, row, old_consent, consent_at, joined_at) {
  WITH c, row, old_consent, consent_at, joined_at WHERE old_consent IS NOT NULL
  WITH c, row, old_consent, consent_at, joined_at,
       [c.name = row.name, c.kind = row.kind, c.industry = row.industry, c.region = row.region,
        c.segment = row.segment, c.vetted = row.vetted, c.risk_rating = row.risk_rating, c.consent = row.consent,
        coalesce(c.consent_at = consent_at, c.consent_at IS NULL AND consent_at IS NULL),
        coalesce(c.relationship_manager = row.relationship_manager,
                 c.relationship_manager IS NULL AND row.relationship_manager IS NULL),
        coalesce(c.joined_at = joined_at, c.joined_at IS NULL AND joined_at IS NULL),
        row.contact_email IS NULL OR coalesce(c.contact_email = row.contact_email, false),
        row.contact_phone IS NULL OR coalesce(c.contact_phone = row.contact_phone, false),
        row.private_notes IS NULL OR coalesce(c.private_notes = row.private_notes, false)] AS same
  SET c.name = row.name, c.kind = row.kind, c.industry = row.industry, c.region = row.region,
      c.segment = row.segment, c.vetted = row.vetted, c.risk_rating = row.risk_rating, c.consent = row.consent,
      c.consent_at = consent_at, c.relationship_manager = row.relationship_manager, c.joined_at = joined_at,
      c.contact_email = coalesce(row.contact_email, c.contact_email),
      c.contact_phone = coalesce(row.contact_phone, c.contact_phone),
      c.private_notes = coalesce(row.private_notes, c.private_notes),
      c.updated_at = CASE WHEN all(s IN same WHERE s) THEN c.updated_at ELSE datetime() END
  FOREACH (_ IN CASE WHEN old_consent <> row.consent THEN [1] ELSE [] END |
    CREATE (c)-[:CONSENT_EVENT]->(:ConsentEvent {consent: row.consent, basis: $basis, actor: $actor,
                                                 at: coalesce(consent_at, datetime())}))
  // a customer who may no longer be matched (graph/eligibility.py's rule) keeps no stored suggestion either side
  WITH c
  CALL (c) {
    WITH c WHERE NOT coalesce(c.consent = 'opt_in' AND c.vetted = true AND c.risk_rating <> 'high', false)
    MATCH (c)-[s:SUGGESTED_INTRO]-()
    DELETE s
  }
}
RETURN count(c) AS written
