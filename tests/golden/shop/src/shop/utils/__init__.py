"""Logging, monitoring, error handling and discovery helpers."""
