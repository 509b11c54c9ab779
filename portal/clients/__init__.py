"""Clients: registry, benefit/employment links, consents, LGPD operations."""
