"""Data access objects, one module per table."""
