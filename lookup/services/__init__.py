"""Lookup services: the per-process search index and the Alphabetic Index import."""
