"""The REST API of insights; registered on the router in ``cx/api/urls.py``."""
