// The category vocabulary as it is in the graph (names are data, any vocabulary loads).
MATCH (k:Category)
RETURN k.name AS name, coalesce(k.description, '') AS description
ORDER BY name
