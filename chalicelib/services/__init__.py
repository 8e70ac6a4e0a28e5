"""Use cases: each takes a command and its dependencies."""
