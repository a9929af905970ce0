"""Helpers shared by test modules (never imported from a test module: they import from here)."""
