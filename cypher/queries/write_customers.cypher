// Upsert customers from validated records; a new or changed consent value also leaves a ConsentEvent.
UNWIND $rows AS row
MERGE (c:Customer {customer_id: row.customer_id})
WITH c, row, c.consent AS old_consent,
     [k IN keys(row.props) WHERE NOT (c[k] = row.props[k]) OR ((c[k] IS NULL) <> (row.props[k] IS NULL))] AS changed
SET c += row.props
SET c.updated_at = CASE WHEN size(changed) > 0 THEN datetime() ELSE c.updated_at END
FOREACH (_ IN CASE WHEN old_consent IS NULL OR old_consent <> row.props.consent THEN [1] ELSE [] END |
  CREATE (c)-[:CONSENT_EVENT]->(:ConsentEvent {consent: row.props.consent, basis: $basis, actor: $actor,
                                               at: coalesce(row.props.consent_at, datetime())}))
RETURN count(c) AS written
