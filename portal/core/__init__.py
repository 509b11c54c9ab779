"""Kernel shared by every domain: database types, errors, crypto, audit, formatting, files."""
