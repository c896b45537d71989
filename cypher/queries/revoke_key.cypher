// Revoke a key by its public id; returns how many keys were revoked.
MATCH (k:ApiKey {key_id: $key_id})
SET k.revoked = true, k.revoked_at = datetime()
RETURN count(k) AS revoked
