"""Scoring: instrument scores from the registry's rules."""
