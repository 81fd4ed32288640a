"""The page benchmark's data set: planned in Python (plan, story), bulk-loaded
into SQLite or PostgreSQL (load). Not a script: `make bench` runs bench/*.py."""
