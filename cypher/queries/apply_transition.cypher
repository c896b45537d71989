// Write a planned transition: the introduction's new properties and its audit event (keyed on its sequence number).
UNWIND $rows AS row
MATCH (i:Introduction {introduction_id: row.introduction_id})
SET i += row.changes
MERGE (i)-[:HAS_EVENT]->(e:IntroEvent {seq: row.event.seq})
SET e += row.event
RETURN i.state AS state
