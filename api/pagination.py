"""Cursor pagination: a page is found by where the previous one ended (`WHERE id > …`), never
by an offset, so the 10,000th commune costs what the first does and rows added meanwhile are
neither skipped nor repeated."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination


class ByIdCursor(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor_message = _("Con trỏ trang không hợp lệ.")
