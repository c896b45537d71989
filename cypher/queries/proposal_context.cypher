// What proposing an introduction needs to know: both customers' segments, and whether the need and capability belong to them.
OPTIONAL MATCH (n:Customer {customer_id: $needer_id})
OPTIONAL MATCH (p:Customer {customer_id: $provider_id})
RETURN n IS NOT NULL AS needer_exists, p IS NOT NULL AS provider_exists,
       n.segment AS needer_segment, n.region AS needer_region, p.segment AS provider_segment,
       $need_id IS NULL OR EXISTS { (n)-[:HAS_NEED]->(:Need {need_id: $need_id}) } AS need_ok,
       $capability_id IS NULL OR EXISTS { (p)-[:CAN_PROVIDE]->(:Capability {capability_id: $capability_id}) } AS capability_ok
