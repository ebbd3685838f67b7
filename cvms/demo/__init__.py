"""Demo data (``manage.py seed_demo``). It sits above every domain so it may use them all, and no
domain imports it; portals add their own demo records through the ``demo_seeded`` signal."""
