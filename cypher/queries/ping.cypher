// Readiness probe: answers when the database serves queries.
RETURN 1 AS ok
