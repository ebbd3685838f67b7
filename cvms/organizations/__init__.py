"""Organizations and their locations, storage units and redistribution agreements."""
