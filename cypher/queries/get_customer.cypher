// One customer with their needs and capabilities (the API decides which fields the caller may see).
MATCH (c:Customer {customer_id: $customer_id})
RETURN c {.*, consent_at: toString(c.consent_at), joined_at: toString(c.joined_at),
          updated_at: toString(c.updated_at)} AS customer,
       COLLECT {
         MATCH (c)-[:HAS_NEED]->(n:Need)
         RETURN n {.need_id, .category, .description, .status, .source, created_at: toString(n.created_at)} AS need
         ORDER BY need.need_id
       } AS needs,
       COLLECT {
         MATCH (c)-[:CAN_PROVIDE]->(p:Capability)
         RETURN p {.capability_id, .category, .description, .quality} AS capability
         ORDER BY capability.capability_id
       } AS capabilities
