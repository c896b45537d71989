// Benchmark only: delete every data node (the schema and migration records stay), in batches.
MATCH (n) WHERE NOT n:_Migration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
