"""Pure domain: no AWS, no I/O."""
