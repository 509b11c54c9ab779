"""Bank commission reports: their lines (`models`) and the import kind that reads them."""

from portal.commissions.reports import kind  # noqa: F401  (registers the "bank-report" kind)
