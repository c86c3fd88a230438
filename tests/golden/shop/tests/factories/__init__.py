"""Factories that store valid rows of each resource, for the tests."""
