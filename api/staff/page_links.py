"""Page links of a staff list: numbers around the current page, the first and the last."""

from __future__ import annotations

import math
from urllib.parse import urlencode

PAGE_SIZE = 25


def page_number(text: str | None) -> int:
    """The page asked for (1 for anything that is not a positive number)."""
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def page_links(
    path: str, query: dict[str, str], page: int, total: int, size: int = PAGE_SIZE
) -> list[tuple[int | None, str | None]]:
    """[(number, href)]: href None for the current page, number None for a gap."""
    last = max(1, math.ceil(total / size))
    wanted = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    links: list[tuple[int | None, str | None]] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            links.append((None, None))
        params = {k: v for k, v in query.items() if v not in (None, "")}
        params["page"] = str(number)
        links.append((number, None if number == page else f"{path}?{urlencode(params)}"))
        previous = number
    return links
