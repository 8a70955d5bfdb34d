"""Real stand-ins for external services, so tests exercise real clients over real sockets."""
