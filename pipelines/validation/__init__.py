"""Validation: pandera-validated responses, quarantine with reasons, blocking checks."""
