// Benchmark only: delete every relationship in small batches (a big DETACH DELETE batch exhausts a small heap).
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS
