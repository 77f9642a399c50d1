from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Pagination(CursorPagination):
    """Stable cursor pages, newest first."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
