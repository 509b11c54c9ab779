"""Three-way reconciliation: what the ledger expects, what the bank reports, what arrived."""
