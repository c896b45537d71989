// Marks a suggestion run complete: from this commit on, readers see this run and no other.
MERGE (r:SuggestionRun {run_id: $run_id})
SET r.model_version = $version, r.completed_at = datetime($completed_at), r.rows = $rows
