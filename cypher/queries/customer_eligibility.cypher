// Whether a customer exists and may take part in matching at all.
OPTIONAL MATCH (c:Customer {customer_id: $customer_id})
RETURN c IS NOT NULL AS exists,
       coalesce(c.consent, 'unknown') AS consent,
       coalesce(c.vetted, false) AS vetted,
       coalesce(c.risk_rating, 'medium') AS risk_rating
