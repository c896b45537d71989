// Every customer with the attributes the model uses (training export; streamed, ordered by id for stable id maps).
MATCH (c:Customer)
RETURN c.customer_id AS customer_id, c.kind AS kind, c.industry AS industry, c.region AS region,
       c.segment AS segment, coalesce(c.vetted, false) AS vetted, coalesce(c.risk_rating, 'medium') AS risk_rating,
       coalesce(c.consent, 'unknown') AS consent
ORDER BY customer_id
