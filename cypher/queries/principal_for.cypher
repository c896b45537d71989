// The role and manager behind a key hash, if the key exists and is not revoked.
MATCH (k:ApiKey {key_hash: $key_hash})
WHERE NOT coalesce(k.revoked, false)
RETURN k.key_id AS key_id, k.role AS role, k.manager_id AS manager_id
