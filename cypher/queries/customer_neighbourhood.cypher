// One customer's current one-hop neighbourhood, read live when the model scores a (possibly brand-new) customer.
MATCH (c:Customer {customer_id: $customer_id})
RETURN c.customer_id AS customer_id, c.kind AS kind, c.industry AS industry, c.region AS region,
       c.segment AS segment, coalesce(c.vetted, false) AS vetted, coalesce(c.risk_rating, 'medium') AS risk_rating,
       coalesce(c.consent, 'unknown') AS consent,
       COLLECT { MATCH (c)-[:HAS_NEED]->(n:Need)
                 RETURN {need_id: n.need_id, category: n.category, description: coalesce(n.description, ''),
                         status: coalesce(n.status, 'open'), created_at: n.created_at} } AS needs,
       COLLECT { MATCH (c)-[:CAN_PROVIDE]->(k:Capability)
                 RETURN {capability_id: k.capability_id, category: k.category,
                         description: coalesce(k.description, ''), quality: coalesce(k.quality, 2.5)} } AS capabilities,
       COLLECT { MATCH (c)-[:HAD_INTERACTION]->(i:Interaction)
                 RETURN {interaction_id: i.interaction_id, text: coalesce(i.text, ''), created_at: i.created_at} } AS interactions,
       COLLECT { MATCH (c)-[r:REFERRED]-(o:Customer)
                 RETURN {referral_id: coalesce(r.referral_id, r.introduction_id, elementId(r)),
                         needer_id: startNode(r).customer_id, provider_id: endNode(r).customer_id,
                         created_at: r.created_at, outcome: coalesce(r.outcome, 'pending')} } AS referrals
