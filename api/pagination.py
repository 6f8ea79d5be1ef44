"""Page numbers and sizes: invalid ones are a 400 naming the parameter, never a silent fix.

`page` must be a whole number from 1; a page past the last one is a 404 that says how many
pages there are (page 1 of an empty result is an empty page, not an error). `page_size`
(`per_page` in the HSDS API) runs from 1 to 100; a larger size is capped at 100. A client
without a token gets the pages that start within the first API_PAGED_ITEMS_MAX items.
"""

from collections import OrderedDict

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from providers.search import RankedIds

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**62  # far beyond any count; SQLite's and PostgreSQL's integers stop at 2**63


def _whole_number(raw: str | None, *, name: str, default: int, maximum: int | None) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValidationError(
            {name: [f"Must be a whole number from 1, not {raw[:20]!r}."]}
        ) from None
    if value < 1:
        raise ValidationError({name: ["Must be a whole number from 1."]})
    return min(value, maximum) if maximum else value


class Chain:
    """A queryset followed by a list, sliceable for a Paginator (nearby, then remote)."""

    def __init__(self, queryset, tail: list) -> None:
        self.queryset, self.tail = queryset, tail
        self._head_count: int | None = None

    def count(self) -> int:
        if self._head_count is None:
            self._head_count = self.queryset.count()
        return self._head_count + len(self.tail)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        head = self.count() - len(self.tail)
        start, stop = item.start or 0, item.stop
        items = list(self.queryset[start : min(stop, head)]) if start < head else []
        return items + self.tail[max(start - head, 0) : max(stop - head, 0)]


class PagePagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_query_param = "page"

    def get_page_size(self, request) -> int:
        return _whole_number(
            request.query_params.get(self.page_size_query_param),
            name=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    # How a client without a token reads past the pages it may have (HsdsPagination: the
    # ndjson feed).
    further = "Narrow the search, or ask for an API token."

    def paginate_queryset(self, queryset, request, view=None) -> list:
        page_size = self.get_page_size(request)
        number = _whole_number(
            request.query_params.get(self.page_query_param),
            name=self.page_query_param,
            default=1,
            maximum=None,
        )
        refused = self._too_deep(request, number, page_size)
        if isinstance(queryset, RankedIds) and number * page_size <= MAX_OFFSET and not refused:
            # The count and the page in one statement; a page no count could reach is left
            # to the Paginator's check (its offset would overflow the SQL's 64-bit integer).
            queryset.expect((number - 1) * page_size, number * page_size)
        paginator = Paginator(queryset, page_size)
        try:
            paginator.validate_number(number)  # counts: past the last page is the 404
            if refused:  # before the page is read (a search ranks it as it slices)
                raise ValidationError({self.page_query_param: [refused]})
            self.page = paginator.page(number)
        except EmptyPage:
            raise NotFound(
                {
                    self.page_query_param: [
                        f"There are {paginator.num_pages} pages; {number} is past the last."
                    ]
                }
            ) from None
        self.request = request
        return list(self.page)

    def _too_deep(self, request, number: int, page_size: int) -> str:
        """Why this page is refused ("" when it is not). A page is read by OFFSET: a deep
        one reads and skips every item before it. A client without a token gets the pages
        that start within the first API_PAGED_ITEMS_MAX items (docs/api.md)."""
        limit = settings.API_PAGED_ITEMS_MAX
        first = (number - 1) * page_size + 1
        if first <= limit or request.user.is_authenticated:
            return ""
        return (
            f"Pages reach the first {limit:,} items without an API token; page"
            f" {number} ({page_size} a page) starts at item {first:,}. {self.further}"
        )

    def get_paginated_response(self, data, **extra) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                    *extra.items(),
                ]
            )
        )


class HsdsPagination(PagePagination):
    """The HSDS `Page` envelope: total_items, total_pages, page_number, size, ... contents."""

    page_size_query_param = "per_page"
    further = "Narrow the list, or read every item, one a line, with format=ndjson."

    def get_paginated_response(self, data, **extra) -> Response:
        page = self.page
        return Response(
            {
                "total_items": page.paginator.count,
                "total_pages": page.paginator.num_pages,
                "page_number": page.number,
                "size": len(data),
                "first_page": page.number == 1,
                "last_page": not page.has_next(),
                "empty": page.paginator.count == 0,
                "contents": data,
            }
        )
