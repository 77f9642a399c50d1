"""The REST API of the core domain (``/api/v1/``)."""
