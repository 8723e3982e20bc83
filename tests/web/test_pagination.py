"""The pagination's items (web.page_items) are those the template once chose by looping over every
page number: first and last, two either side of the current page, an ellipsis where pages are
left out."""

from __future__ import annotations

from django.core.paginator import Paginator

from safeguard.web.templatetags.web import page_items


def _every_number(page) -> list[tuple[str, int]]:
    """The old template's loop, over every page number."""
    out, last, current = [], page.paginator.num_pages, page.number
    for number in page.paginator.page_range:
        if number == current:
            out.append(("current", number))
        elif number == 1 or number == last or (number - 2 <= current and number + 2 >= current):
            out.append(("link", number))
        elif number == 2 or number == last - 1:
            out.append(("ellipsis", number))
    return out


def test_the_items_are_the_loop_over_every_page():
    for pages in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 40, 2950):
        paginator = Paginator(range(pages * 25), 25)
        for number in {1, 2, 3, 4, 5, 6, pages // 2, pages - 3, pages - 2, pages - 1, pages} - {0, -1, -2}:
            if 1 <= number <= pages:
                page = paginator.page(number)
                assert page_items(page) == _every_number(page), (pages, number)


def test_a_long_queue_shows_a_handful_of_pages():
    page = Paginator(range(2950 * 25), 25).page(1500)
    assert page_items(page) == [("link", 1), ("ellipsis", 2), ("link", 1498), ("link", 1499), ("current", 1500),
                                ("link", 1501), ("link", 1502), ("ellipsis", 2949), ("link", 2950)]
