"""Integration tests against the running application."""
