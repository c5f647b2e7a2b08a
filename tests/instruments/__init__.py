"""Tests of the instrument registry and scoring."""
