// The program metrics select introductions by the time they were proposed; the list orders by it.
CREATE INDEX introduction_created_at IF NOT EXISTS FOR (i:Introduction) ON (i.created_at);
