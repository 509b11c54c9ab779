"""Web layer: blueprints by audience, access policy, HTMX helpers, error pages."""
