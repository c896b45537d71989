// Store a new API key by its hash only; the plaintext is shown once to whoever created it.
CREATE (k:ApiKey {key_hash: $key_hash, key_id: $key_id, role: $role, manager_id: $manager_id,
                  created_at: datetime(), revoked: false})
