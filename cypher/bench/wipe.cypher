// Benchmark only: delete every data node (the schema and migration records stay), in batches small enough for a small heap.
MATCH (n) WHERE NOT n:_Migration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS
