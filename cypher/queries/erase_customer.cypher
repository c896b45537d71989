// Erase a customer: introductions keep a non-identifying tombstone (state, segment, region, outcome, value stay
// for the program metrics); everything else of theirs goes; an Erasure {id_hash} stops old exports bringing
// them back. Returns the texts whose cached embeddings must also be forgotten.
MATCH (c:Customer {customer_id: $customer_id})
WITH c, c.customer_id AS cid, coalesce(c.name, c.customer_id) AS cname,
     [(c)-[:HAS_NEED]->(n:Need) | n.description] + [(c)-[:CAN_PROVIDE]->(p:Capability) | p.description] +
     [(c)-[:HAD_INTERACTION]->(i:Interaction) | i.text] + [(c)-[:HAS_REVIEW_ITEM]->(r:ReviewItem) | r.evidence] AS texts
CALL (c, cid, cname) {
  MATCH (c)-[side:NEEDER_IN|PROVIDER_IN]->(intro:Introduction)
  WITH intro, type(side) = 'NEEDER_IN' AS was_needer, cid, cname
  SET intro.tombstone = true, intro.erased_side = CASE WHEN was_needer THEN 'needer' ELSE 'provider' END
  SET intro.needer_id = CASE WHEN was_needer THEN null ELSE intro.needer_id END,
      intro.need_id = CASE WHEN was_needer THEN null ELSE intro.need_id END,
      intro.provider_id = CASE WHEN was_needer THEN intro.provider_id ELSE null END,
      intro.capability_id = CASE WHEN was_needer THEN intro.capability_id ELSE null END
  WITH intro, was_needer, cid, cname
  // any other text that names them (a note, a comment, an id built from theirs) goes too; the workflow's own
  // key and vocabulary values (a random id, states, levels) are never personal data, even when a short id is a substring
  FOREACH (k IN [k IN keys(intro) WHERE NOT k IN ['needer_id', 'provider_id', 'introduction_id', 'state',
                 'automation_level', 'needer_response', 'provider_response', 'outcome', 'segment', 'region',
                 'erased_side', 'model_version'] AND intro[k] IS :: STRING
                 AND (intro[k] CONTAINS cid OR intro[k] CONTAINS cname)] | SET intro[k] = null)
  WITH intro, was_needer
  OPTIONAL MATCH (intro)-[:HAS_EVENT|HAS_FEEDBACK]->(x)
  FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END |
    SET x.note = null, x.comment = CASE WHEN x:Feedback THEN null ELSE x.comment END)
}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_NEED|CAN_PROVIDE|HAD_INTERACTION|CONSENT_EVENT|HAS_REVIEW_ITEM]->(x)
  DETACH DELETE x
}
CALL (cid) {
  OPTIONAL MATCH (r:ReviewItem {customer_id: cid})
  DETACH DELETE r
}
WITH c, texts, $id_hash AS h
DETACH DELETE c
MERGE (e:Erasure {id_hash: h})
ON CREATE SET e.at = datetime()
RETURN texts
