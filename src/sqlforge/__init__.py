"""sqlforge: SQL-first SQLite tooling for Python projects."""

__version__ = "0.1.0"
