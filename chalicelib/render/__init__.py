"""Pure presentation helpers (no I/O): QR codes for pages and posters."""
