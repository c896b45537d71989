// Whether an interaction id is taken (an interaction is recorded once; its id is never reused).
OPTIONAL MATCH (i:Interaction {interaction_id: $interaction_id})
RETURN i IS NOT NULL AS taken
