"""People: user accounts, roles and permissions, the org hierarchy and collaborators."""
