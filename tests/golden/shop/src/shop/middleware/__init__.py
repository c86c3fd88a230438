"""HTTP middleware and request dependencies."""
