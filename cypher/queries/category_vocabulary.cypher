// Every category in the graph with its description (may be null): the vocabulary the text parser matches against.
MATCH (c:Category)
RETURN c.name AS name, c.description AS description
ORDER BY name
