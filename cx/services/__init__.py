"""Writes of the core domain. Each function is ``<entity>_<verb>``, keyword-only, typed."""
