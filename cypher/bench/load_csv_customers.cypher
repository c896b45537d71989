// Benchmark only: Neo4j's own LOAD CSV doing the same upsert as write_customers (with a ConsentEvent).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (c:Customer {customer_id: row.customer_id})
  SET c.name = row.name, c.kind = row.kind, c.industry = row.industry, c.region = row.region,
      c.segment = row.segment, c.vetted = (row.vetted = 'true'), c.risk_rating = row.risk_rating,
      c.consent = row.consent,
      c.consent_at = CASE WHEN row.consent_at <> '' THEN datetime(row.consent_at) END,
      c.relationship_manager = CASE WHEN row.relationship_manager <> '' THEN row.relationship_manager END,
      c.joined_at = CASE WHEN row.joined_at <> '' THEN datetime(row.joined_at) END,
      c.updated_at = datetime()
  CREATE (c)-[:CONSENT_EVENT]->(:ConsentEvent {consent: row.consent, basis: 'crm_export', actor: 'load_csv',
                                              at: coalesce(c.consent_at, datetime())})
} IN TRANSACTIONS OF $batch ROWS
