"""Test suite of shop."""
