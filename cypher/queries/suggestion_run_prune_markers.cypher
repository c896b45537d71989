// Removes the markers of superseded suggestion runs once their edges are gone.
MATCH (r:SuggestionRun)
WHERE r.run_id <> $run_id
DELETE r
