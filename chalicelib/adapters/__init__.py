"""Adapters to AWS: each takes its client or table name from the bootstrap."""
