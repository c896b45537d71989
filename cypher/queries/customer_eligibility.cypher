// Whether a customer exists and may take part in matching at all.
OPTIONAL MATCH (c:Customer {customer_id: $customer_id})
RETURN c IS NOT NULL AS exists,
       coalesce(c.opted_in, false) AS opted_in,
       coalesce(c.vetted, false) AS vetted,
       coalesce(c.high_risk, false) AS high_risk
