"""Everything that touches Neo4j: settings, the driver, migrations, ingestion, repositories, the local server."""
