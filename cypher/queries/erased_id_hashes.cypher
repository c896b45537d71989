// Which of the given erasure fingerprints are recorded (an erased customer must not come back from an export).
UNWIND $hashes AS h
MATCH (e:Erasure {id_hash: h})
RETURN e.id_hash AS id_hash
