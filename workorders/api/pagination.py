"""Pagination for lists that reach a million rows (STACK-NOTES #16).

DRF's page-number pagination runs COUNT(*) over the filtered set on every page. On PostgreSQL this counts
exactly up to EXACT_COUNT_LIMIT rows and above that takes the planner's estimate (one statement through the
`bst_count_estimate` function of migration workorders 0005); SQLite counts exactly. The response keeps the
API.md shape `{count, next, previous, results}`; above the limit `count` is an estimate, and any page number
may be asked for: a page past the end is a 404 as before, `next` is there while a page comes back full."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.utils.functional import cached_property

from config.api import Pagination

EXACT_COUNT_LIMIT = 1000


class EstimatedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.estimated:
            return len(self.object_list) >= self.paginator.per_page
        return super().has_next()


class EstimatedCountPaginator(DjangoPaginator):
    exact_limit = EXACT_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        connection = connections[qs.db]
        if connection.vendor != "postgresql":
            return super().count
        if qs.query.is_empty():  # .none() (a user without a role) compiles to no SQL at all
            return 0
        sql, params = qs.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            query = cursor.cursor.mogrify(sql, params).decode()
            cursor.execute("SELECT bst_count_estimate(%s, %s)", [query, self.exact_limit])
            return int(cursor.fetchone()[0])

    @property
    def estimated(self) -> bool:
        return self.count > self.exact_limit

    def validate_number(self, number):
        if not self.estimated:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def _get_page(self, *args, **kwargs):
        return EstimatedPage(*args, **kwargs)


class EstimatedCountPagination(Pagination):
    """The API's pagination (page, page_size ≤ 200) with the count above."""

    django_paginator_class = EstimatedCountPaginator
