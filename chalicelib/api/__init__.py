"""HTTP API: one blueprint per audience."""
