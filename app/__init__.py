"""The ICRM HTTP API (FastAPI): matches with reasons, customers, consent, interactions and introductions."""
