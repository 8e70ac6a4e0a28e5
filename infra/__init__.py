"""Infrastructure: resource definitions, packaging, and the local twin of AWS."""
