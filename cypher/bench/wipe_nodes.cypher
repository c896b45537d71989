// Benchmark only: delete every data node once the relationships are gone (the migration records stay).
MATCH (n) WHERE NOT n:_Migration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS
