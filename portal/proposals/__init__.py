"""Proposals: lifecycle, canonical statuses, bank status mapping, pendencies, documents."""
