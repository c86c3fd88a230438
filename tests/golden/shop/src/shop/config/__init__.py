"""Configuration loaded from the environment."""
