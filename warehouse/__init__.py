"""Warehouse layer: the data contract, loading feeds into DuckDB, and SQL models."""
