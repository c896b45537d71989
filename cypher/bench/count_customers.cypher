// Benchmark only: how many customers the graph holds (refuse to wipe a graph someone is using).
MATCH (c:Customer) RETURN count(c) AS n
