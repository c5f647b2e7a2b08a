"""Ingest: archive each project's exports and map them onto canonical, pseudonymised rows."""
