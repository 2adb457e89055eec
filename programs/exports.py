"""Every CSV file this product writes goes through here.

People open these files in spreadsheet programs, which run a cell that starts with
=, +, -, @, a tab or a carriage return as a formula (OWASP "CSV injection"). Every cell of
every row, the header too, is neutralised by a leading apostrophe, whatever column it is.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell as text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(value: str) -> str:
    """Undo `neutralise` on a cell read back from one of our own files."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A whole CSV file as text, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
