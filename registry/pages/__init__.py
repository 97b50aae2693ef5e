"""The registry's own pages for people: search, listings and statistics (see routes.py)."""
