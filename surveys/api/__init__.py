"""The REST API of surveys; registered on the router in ``cx/api/urls.py``."""
