"""Workshops: what coordinators create and people attend."""
