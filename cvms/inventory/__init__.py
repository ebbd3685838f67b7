"""Inventory: vaccine products (reference data), lots and the stock ledger. Transfers and the
marketplace come next."""
