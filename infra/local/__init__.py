"""The local twin of AWS: moto server, provisioning, pollers, site server. Never shipped to Lambda."""
