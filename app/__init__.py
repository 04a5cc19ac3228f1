"""The dashboard's own package: warehouse access and caching, strings, filters and shared UI helpers."""
