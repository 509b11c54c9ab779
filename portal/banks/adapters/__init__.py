"""One module per bank dialect; each translates the bank's fields into `portal.banks.types`."""
