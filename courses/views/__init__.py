"""Courses views, split by concept. ``certificate_verify`` is mounted publicly at /certificates/verify/<token>/."""

from .completion import certificate_verify

__all__ = ["certificate_verify"]
