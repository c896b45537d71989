// Every API key's public part (never the hash).
MATCH (k:ApiKey)
RETURN k.key_id AS key_id, k.role AS role, k.manager_id AS manager_id,
       toString(k.created_at) AS created_at, coalesce(k.revoked, false) AS revoked
ORDER BY k.created_at
