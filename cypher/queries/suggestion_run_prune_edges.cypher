// Removes the suggestions (and run markers) of every run but the given one, in batches.
MATCH ()-[s:SUGGESTED_INTRO]->()
WHERE s.run_id IS NULL OR s.run_id <> $run_id
WITH s LIMIT $limit
DELETE s
RETURN count(*) AS deleted
