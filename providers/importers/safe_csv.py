"""CSV that a spreadsheet opens without running anything (OWASP's advice on CSV injection).

Excel, LibreOffice and Google Sheets take a cell that starts with = + - @, a tab or a
carriage return for a formula. Every export writes such a text cell with a leading single
quote, which they show as text. Left as they are: the columns a writer declares numeric
(coordinates, counts), and any value made only of digits, spaces and + - ( ) . , (a phone
number such as +12125550100, a number such as -73.9), which can call no function. The
importers drop the quote again (`normalise.text`), so an export imports back unchanged.
"""

import csv
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[\d\s+\-().,]*")


def safe_cell(value):
    """The value a spreadsheet shows but never evaluates: text that starts a formula gets a
    leading single quote; anything else is returned as it is."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _NUMBER_LIKE.fullmatch(value)
    ):
        return "'" + value
    return value


def unquote_cell(value: str) -> str:
    """Undo `safe_cell` on a value read back from a CSV file."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose text cells go through `safe_cell`, but for the numeric columns."""

    def __init__(self, f, fieldnames, *, numeric: Iterable[str] = (), **kwargs) -> None:
        super().__init__(f, fieldnames, **kwargs)
        self.numeric = frozenset(numeric)

    def _safe(self, rowdict: dict) -> dict:
        return {
            key: value if key in self.numeric else safe_cell(value)
            for key, value in rowdict.items()
        }

    def writerow(self, rowdict):
        return super().writerow(self._safe(rowdict))

    def writerows(self, rowdicts):
        return super().writerows(self._safe(rowdict) for rowdict in rowdicts)
