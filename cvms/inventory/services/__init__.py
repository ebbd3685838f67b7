"""Rules that move stock. ``stock`` appends ledger entries (receive, waste, return, adjust, correct)
and holds doses reserved; ``transfers`` moves doses between locations with the state's approval;
``marketplace`` offers surplus to other locations. What only reads is in ``cvms.inventory.selectors``.

Every dose is counted in the append-only ledger (``StockLedgerEntry``); the database keeps each
lot's ``on_hand`` from it and refuses ``on_hand < reserved`` or ``reserved < 0``. A mistake is
corrected by a reversing entry, never by editing or deleting one."""
