"""Cell values as real files hold them, turned into clean values (or a Russian complaint).

Files from schools and Google Forms carry trailing and non-breaking spaces, «ё» written as «е»,
dates typed as `dd.mm.yyyy`, stored as Excel serial numbers or as date cells, and numbers stored
as text (`"1 234"`, `"12,0"`). Every parser here takes what a cell holds and returns the clean
value, or raises `CellError` with a message for people.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 29.02.1900
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\ufeff]+")
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]+\s*")
_DATE_DMY = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})(?:\s*г\.?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_LIST_SPLIT = re.compile(r"\s*[;,\n]\s*")


class CellError(ValueError):
    """The cell holds something that cannot be read as the column needs; says why in Russian."""


def text(value: Any) -> str | None:
    """A cell as text: spaces of every kind collapsed and trimmed; empty means None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an INN or a code typed as a number comes back as 7701234567.0
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    cleaned = _SPACES.sub(" ", str(value)).strip()
    return cleaned or None


#: What `key` removes or rewrites besides case and «ё»: a text without any is keyed by those two.
_KEYED_MARKS = re.compile(r"[«»\"“”„'`*№\-‐‑‒–—―−]|  ")


def key(value: Any) -> str:
    """A matching key: case, «ё», quotes, dashes and spacing do not matter (for lookups only)."""
    if type(value) is str and value.isprintable() and value == value.strip(" ") and not _KEYED_MARKS.search(value):
        # The usual name (single ASCII spaces, no marks): a directory keys every person in the
        # registry, and the general path costs ten times as much.
        return value.lower().replace("ё", "е")
    return keyed(value)


def keyed(value: Any) -> str:
    """`key` the general way, for any cell."""
    cleaned = (text(value) or "").lower().replace("ё", "е")
    cleaned = re.sub(r"[«»\"“”„'`*]", "", cleaned)
    cleaned = _DASHES.sub("-", cleaned)
    cleaned = re.sub(r"\s*№\s*", " № ", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


def to_date(value: Any) -> date | None:
    """A date cell, a `dd.mm.yyyy` (or `yyyy-mm-dd`) string, or an Excel serial number."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("Нужна дата в формате ДД.ММ.ГГГГ")
    if isinstance(value, (int, float)):
        return _from_serial(float(value))
    cleaned = text(value)
    if cleaned is None:
        return None
    match = _DATE_DMY.match(cleaned)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000 if year < 70 else 1900
        return _checked(year, month, day, cleaned)
    match = _DATE_YMD.match(cleaned)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _checked(year, month, day, cleaned)
    if re.fullmatch(r"\d{4,5}([.,]0+)?", cleaned):
        return _from_serial(float(cleaned.replace(",", ".")))
    raise CellError(f"«{cleaned}» — не дата: нужен формат ДД.ММ.ГГГГ, например 01.09.2021")


def _checked(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"Такой даты нет: «{shown}»") from None


def _from_serial(serial: float) -> date:
    # Serials of 1.1.1950 … 31.12.2100; anything else is a number typed into a date column.
    if not (18264 <= serial <= 73415) or not float(serial).is_integer():
        raise CellError(f"«{text(serial)}» — не дата: нужен формат ДД.ММ.ГГГГ, например 01.09.2021")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def to_int(value: Any) -> int | None:
    """A whole number, also when stored as text: `"1 234"`, `"12,0"`, `12.0`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("Нужно целое число")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"«{text(value)}» — нужно целое число")
    cleaned = text(value)
    if cleaned is None:
        return None
    compact = _SPACES.sub("", cleaned).replace(",", ".")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        raise CellError(f"«{cleaned}» — нужно целое число") from None
    if number != number.to_integral_value():
        raise CellError(f"«{cleaned}» — нужно целое число")
    return int(number)


def to_year_or_date(value: Any) -> tuple[int | None, date | None]:
    """«Год или дата рождения»: `2008` is a year; anything else must read as a date."""
    if value is None:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return int(value), None
    cleaned = text(value)
    if cleaned is not None and re.fullmatch(r"(19|20)\d{2}(\s*г\.?)?([.,]0+)?", cleaned):
        return int(cleaned[:4]), None
    return None, to_date(value)


_YES = {"да", "yes", "true", "1", "+", "согласен", "согласна", "есть", "v", "✓", "x"}
_NO = {"нет", "no", "false", "0", "-", "не согласен", "не согласна"}


def to_bool(value: Any) -> bool | None:
    """«да» / «нет» (and their usual spellings); empty means unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    cleaned = key(value)
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    raise CellError(f"«{text(value)}» — нужно «да» или «нет»")


def to_list(value: Any) -> list[str]:
    """Several values in one cell, separated by `;`, `,` or line breaks."""
    cleaned = text(value) if not isinstance(value, str) else value
    if cleaned is None:
        return []
    parts = [text(part) for part in _LIST_SPLIT.split(str(cleaned))]
    return [part for part in parts if part]


def column_letter(index: int) -> str:
    """1 → A, 27 → AA: how people name a column."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
