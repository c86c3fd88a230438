"""SQLAlchemy engine, sessions, tables and repositories."""
