"""Banks: connector protocol, one adapter per bank dialect, sandbox bank server."""
